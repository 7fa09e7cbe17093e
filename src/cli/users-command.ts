// `roster users reset-password EMAIL [--password PW]`: the operator's way back into an account. With
// a password, it is set at once (the same policy as everywhere) and every session of the person
// ends; without, a one-time reset link (an hour) is printed for the operator to hand over.
import { createPasswordReset } from '../accounts/passwords.ts';
import { CLI_ACTOR } from '../audit/actor.ts';
import { hashPassword } from '../auth/password.ts';
import { checkNewPassword } from '../auth/password-policy.ts';
import type { Config } from '../config.ts';
import { RosterError } from '../errors.ts';
import { now } from '../store/ids.ts';
import { linkUrl } from '../web/link-paths.ts';
import { type Output, UsageError } from './output.ts';
import { withStore } from './store-commands.ts';

export async function usersCommand(
  config: Config,
  args: string[],
  options: { password?: string },
  out: Output,
): Promise<number> {
  const [action, email] = args;
  if (action !== 'reset-password' || !email) {
    throw new UsageError('usage: roster users reset-password EMAIL [--password PASSWORD]');
  }
  return withStore(config, async (store) => {
    const user = await store.users.findByEmail(email);
    if (!user) throw new RosterError('not_found', `no account with the email ${email}`);
    if (options.password !== undefined) {
      checkNewPassword(options.password, user.email);
      const hash = await hashPassword(options.password);
      const sessionsEnded = await store.transaction(async (tx) => {
        const at = now();
        await tx.users.setPassword(user.id, hash, at);
        await tx.passwordResets.useAllOf(user.id, at);
        return tx.sessions.deleteForUser(user.id);
      });
      out.print(`Set the password of ${user.email}; ${sessionsEnded} session(s) ended.`, {
        email: user.email,
        sessionsEnded,
      });
      return 0;
    }
    const reset = await createPasswordReset(store, { userId: user.id, actor: CLI_ACTOR });
    if (!reset) throw new RosterError('conflict', `${user.email} was sent five reset links in the last hour`);
    const url = linkUrl(config.publicUrl, 'passwordReset', reset.secret);
    out.print(
      [
        `A one-time link for ${user.email} to choose a new password (until ${reset.expiresAt}):`,
        '',
        `  ${url}`,
      ].join('\n'),
      { email: user.email, url, expiresAt: reset.expiresAt },
    );
    return 0;
  });
}

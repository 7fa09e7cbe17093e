// An invitation as the API and the dashboard hand it out: its link (shown once), and the mail sent
// when SMTP is set up.
import type { CreatedInvitation, InvitationView } from '../accounts/invitations.ts';
import type { Mailer, SendOutcome } from '../mail/mailer.ts';
import { invitationMail } from '../mail/messages.ts';
import { linkUrl } from './link-paths.ts';

export interface InvitationReply extends InvitationView {
  /** The one-time link, returned this once. */
  url: string;
  /** `sent`, `not_configured` (no SMTP_URL) or `failed` (the server's log says why). */
  delivery: SendOutcome;
}

export async function sendInvitation(
  mailer: Mailer,
  publicUrl: string,
  created: CreatedInvitation,
  organizationName: string,
): Promise<InvitationReply> {
  const url = linkUrl(publicUrl, 'invitation', created.secret);
  const delivery = await mailer.send(
    invitationMail({
      to: created.invitation.email,
      organizationName,
      invitedBy: created.invitation.invitedBy,
      url,
      expiresAt: created.invitation.expiresAt,
    }),
  );
  return { ...created.invitation, url, delivery };
}

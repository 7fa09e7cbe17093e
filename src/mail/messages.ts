// The text of Roster's mails. Plain text only: a link in plain text is the same link in every
// client, and nothing in it is rendered as HTML that a name could inject into.
import type { MailMessage } from './mailer.ts';

function until(expiresAt: string): string {
  return `${expiresAt.slice(0, 16).replace('T', ' ')} UTC`;
}

export function invitationMail(input: {
  to: string;
  organizationName: string;
  invitedBy: string | null;
  url: string;
  expiresAt: string;
}): MailMessage {
  const who = input.invitedBy ? `${input.invitedBy} invited you` : 'You are invited';
  return {
    to: input.to,
    subject: `You are invited to ${input.organizationName}`,
    text: [
      `${who} to join ${input.organizationName} on Roster.`,
      '',
      'Accept the invitation here:',
      input.url,
      '',
      `The link works once, until ${until(input.expiresAt)}. If you did not expect it, ignore this mail.`,
    ].join('\n'),
  };
}

export function passwordResetMail(input: { to: string; url: string; expiresAt: string }): MailMessage {
  return {
    to: input.to,
    subject: 'Reset your Roster password',
    text: [
      'Someone asked to reset the password of your Roster account.',
      '',
      'Choose a new password here:',
      input.url,
      '',
      `The link works once, until ${until(input.expiresAt)}. If you did not ask, ignore this mail: your password stays as it is.`,
    ].join('\n'),
  };
}

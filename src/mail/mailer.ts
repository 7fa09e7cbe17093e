// Outgoing mail through SMTP (nodemailer), when SMTP_URL is set. A message that cannot be sent is
// reported to the caller, never thrown: the links it carries are also shown in the dashboard and
// returned by the API, so a mail server that is down costs a copy and paste, not the invitation.
import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export type SendOutcome = 'sent' | 'not_configured' | 'failed';

export interface Mailer {
  readonly configured: boolean;
  send(message: MailMessage): Promise<SendOutcome>;
  close(): void;
}

export interface MailerOptions {
  smtpUrl: string | null;
  from: string;
  /** Where a failure is told (the server's log); never given the message's text, which holds a link. */
  onError?: (error: unknown, to: string) => void;
}

export function createMailer(options: MailerOptions): Mailer {
  if (!options.smtpUrl) {
    return { configured: false, send: async () => 'not_configured', close: () => undefined };
  }
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    // A slow or absent mail server must not hold a request for minutes (nodemailer's defaults).
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    configured: true,
    async send(message) {
      try {
        await transport.sendMail({ from: options.from, ...message });
        return 'sent';
      } catch (error) {
        options.onError?.(error, message.to);
        return 'failed';
      }
    },
    close: () => transport.close(),
  };
}

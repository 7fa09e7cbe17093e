// A DATABASE_URL may carry a password: messages show it with `***` in its place.

/** `url` with its password, if any, replaced by `***`. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL (a password with an unencoded "/" or "#"): hide everything between "//" and "@".
    return url.replace(/\/\/[^@]*@/, '//***@');
  }
}

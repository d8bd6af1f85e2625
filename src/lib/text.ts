/** Text from outside (names, remote messages) made safe to show a person. */

// C0 and C1 controls (escape sequences, tabs, newlines) and bidi overrides.

const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/** Writes control characters as `\u001b`, so they show instead of acting on the terminal or breaking a line. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

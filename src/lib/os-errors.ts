/** The operating system's failures, said for a person (the code kept in brackets for a search). */

const REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full (no space left on the device)',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'it is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted (an immutable file or folder?)',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder, not a file',
  ENOENT: 'a part of the path does not exist',
  EIO: 'an input/output error (a failing disk, or a terminal that went away)',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'the path has too many symbolic links',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open on the system',
  EBADF: 'it is not open for writing',
  EEXIST: 'something else is already there',
  EFBIG: 'the file is too large',
  EADDRINUSE: 'the port is already in use',
  EADDRNOTAVAIL: 'that address is not one of this machine',
}

/** Why an operation failed, in words: `permission denied (EACCES)`; the error's own message when the code is not known. */
export function describeOsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const reason = code === undefined ? undefined : REASONS[code]
  if (reason) return `${reason} (${code})`
  return error instanceof Error ? error.message : String(error)
}

/** The error's code, if it has one. */
export const osCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code

// File-system errors in words a user acts on, for the report's coded errors (SYN5201–SYN5204).

/** `EACCES` → "permission denied", and so on; an unknown error keeps its code (or message). */
export function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'part of the path is a file, not a folder';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ELOOP':
      return 'a symbolic link loop';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return err?.code ?? (err instanceof Error ? err.message : String(e));
  }
}

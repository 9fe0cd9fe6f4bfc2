/*
 * libkapstats/atomic_file.h - replace a file atomically: write a new,
 * uniquely named temporary file beside the target, fsync it, rename it
 * over the target, fsync the directory.  A reader sees the old file or the
 * new one, never a part of either; a crash leaves at most a stray
 * ".<name>.tmp-<hex>" file (docs/reliability.md).  Used by the store
 * writer and the report writer.
 */
#ifndef KAPSTATS_ATOMIC_FILE_H
#define KAPSTATS_ATOMIC_FILE_H

#include "internal.h"

typedef struct kap_atomic_file {
    int fd;          /* the temporary file, open read-write */
    char *tmp;       /* its name */
    char *dir;       /* the target's directory, synced after the rename */
} kap_atomic_file;

/* Steps of kap_atomic_commit, for messages. */
enum {
    KAP_ATOMIC_FSYNC = 1,   /* fsync of the temporary file */
    KAP_ATOMIC_CLOSE,       /* its close */
    KAP_ATOMIC_RENAME,      /* the rename over the target */
    KAP_ATOMIC_DIRSYNC      /* fsync of the directory (file is in place) */
};

/* Create "<dir>/.<base>.tmp-XXXXXXXXXXXXXXXX" beside path with O_EXCL
 * (mode 0666 less the umask, like any new file).  Everything commit needs
 * is allocated here, so that nothing can fail for lack of memory after the
 * rename.  Returns 0, or -1 with errno (ENOMEM, or open's errno); f is then
 * empty. */
KAP_INTERNAL int kap_atomic_open(kap_atomic_file *f, const char *path);

/* fsync, close and rename the temporary file over path, then fsync the
 * directory.  Always releases f.  Returns 0, or -1 with errno and *step:
 * for a step before KAP_ATOMIC_DIRSYNC the temporary file is removed and
 * the target untouched; for KAP_ATOMIC_DIRSYNC the new file is in place
 * but the rename may not yet be durable. */
KAP_INTERNAL int kap_atomic_commit(kap_atomic_file *f, const char *path,
                                   int *step);

/* Give up: close and remove the temporary file, release f.  Keeps errno. */
KAP_INTERNAL void kap_atomic_abort(kap_atomic_file *f);

#endif

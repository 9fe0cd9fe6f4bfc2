/*
 * atomic_file.c - atomic file replacement (see atomic_file.h).
 */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The directory part of path ("." when none), newly allocated. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return kap_strdup(".");
    if (slash == path)
        return kap_strdup("/");
    return kap_strndup(path, (size_t)(slash - path));
}

int kap_atomic_open(kap_atomic_file *f, const char *path)
{
    f->fd = -1;
    f->tmp = NULL;
    f->dir = dir_of(path);
    if (!f->dir) {
        errno = ENOMEM;
        return -1;
    }
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dirlen;
    size_t len = strlen(path) + 32;
    char *tmp = kap_malloc(len);
    if (!tmp) {
        kap_free(f->dir);
        f->dir = NULL;
        errno = ENOMEM;
        return -1;
    }
    for (int attempt = 0; attempt < 100; attempt++) {
        uint64_t r = 0;
        if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            r = ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_nsec ^
                ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)(uintptr_t)&r ^
                (uint64_t)attempt;
        }
        /* the base name is cut so that the temporary name stays within
         * NAME_MAX (255) */
        kap_snprintf(tmp, len, "%.*s.%.200s.tmp-%016llx", (int)dirlen, path,
                     base, (unsigned long long)r);
        int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            f->fd = fd;
            f->tmp = tmp;
            return 0;
        }
        if (errno != EEXIST)
            break;
    }
    int e = errno;
    kap_free(tmp);
    kap_free(f->dir);
    f->dir = NULL;
    errno = e;
    return -1;
}

static void release(kap_atomic_file *f)
{
    kap_free(f->tmp);
    kap_free(f->dir);
    f->tmp = f->dir = NULL;
    f->fd = -1;
}

void kap_atomic_abort(kap_atomic_file *f)
{
    int e = errno;
    if (f->fd >= 0)
        close(f->fd);
    if (f->tmp)
        unlink(f->tmp);
    release(f);
    errno = e;
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    /* Some file systems cannot sync a directory; that is not a failure of
     * the write. */
    if (rc < 0 && (errno == EINVAL || errno == ENOTSUP || errno == EROFS))
        rc = 0;
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

int kap_atomic_commit(kap_atomic_file *f, const char *path, int *step)
{
    int e = 0;
    *step = 0;
    if (fsync(f->fd) < 0) {
        e = errno;
        *step = KAP_ATOMIC_FSYNC;
    }
    if (close(f->fd) < 0 && !*step) {
        e = errno;
        *step = KAP_ATOMIC_CLOSE;
    }
    f->fd = -1;
    if (!*step && rename(f->tmp, path) < 0) {
        e = errno;
        *step = KAP_ATOMIC_RENAME;
    }
    if (*step) {
        unlink(f->tmp);
        release(f);
        errno = e;
        return -1;
    }
    /* The new file is in place; make the rename itself durable. */
    int rc = sync_dir(f->dir);
    e = errno;
    release(f);
    if (rc < 0) {
        *step = KAP_ATOMIC_DIRSYNC;
        errno = e;
        return -1;
    }
    return 0;
}

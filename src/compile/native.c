/* SPDX-License-Identifier: Apache-2.0
 *
 * compile/native.c — compiling, caching and loading the generated C (compile/codegen.c).
 *
 * The first program of a model generates C for its hot blocks and compiles it with the
 * system C compiler ($MEDTWIN_CC, else cc or gcc on PATH; run directly with posix_spawn, no
 * shell) into a shared object; the object is kept in the cache directory under its key and
 * later programs of the same model, in any process, load it with dlopen (≈1 ms instead of the
 * compiler's tens of milliseconds). When anything on that way fails the program keeps the
 * bytecode VM, which computes the same values.
 *
 * The key is the SHA-256 of the ABI version, the compiler's identity (resolved path, size and
 * modification time of its executable), the flags and the generated source; the object is
 * <cache>/mt-<key>.so. Parameter values are not in the source (they are slots), so every
 * individual of a population shares one object.
 *
 * What makes the cache safe:
 *   - the directory ($MEDTWIN_CACHE_DIR, $XDG_CACHE_HOME/medtwin or ~/.cache/medtwin) is
 *     created 0700 and refused when it is a symbolic link, owned by another user or writable
 *     by group or others; an object is loaded only when it is a regular file of the same
 *     owner, not group/world-writable;
 *   - an object that does not load (truncated, not ELF), lacks a symbol, or whose embedded
 *     key (mt_native_key) or shape (ABI, slots, states, Jacobian entries, roots) differs from
 *     what this program expects is deleted and rebuilt;
 *   - concurrent processes never write the same file: each compiles to its own temporary
 *     name (O_EXCL) in the directory, loads and checks that object, then renames it onto the
 *     key atomically; whoever renames last wins, and both objects are the same code;
 *   - no text of the model reaches the source: codegen writes slot indices and numbers only.
 */
#define _XOPEN_SOURCE 700
#include "compile/native.h"
#include "compile/codegen.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---------- SHA-256 (FIPS 180-4) ---------- */

typedef struct {
    uint32_t h[8];
    uint64_t n;
    unsigned char blk[64];
    size_t fill;
} sha256;

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t ror(uint32_t x, int r) { return (x >> r) | (x << (32 - r)); }

static void sha_block(sha256 *c, const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4], f = c->h[5],
             g = c->h[6], h = c->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 =
            h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = cc;
        cc = b;
        b = a;
        a = t1 + t2;
    }
    c->h[0] += a;
    c->h[1] += b;
    c->h[2] += cc;
    c->h[3] += d;
    c->h[4] += e;
    c->h[5] += f;
    c->h[6] += g;
    c->h[7] += h;
}

static void sha_init(sha256 *c)
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, h0, sizeof h0);
    c->n = 0;
    c->fill = 0;
}

static void sha_add(sha256 *c, const void *data, size_t len)
{
    const unsigned char *p = data;
    c->n += len;
    while (len) {
        size_t k = 64 - c->fill < len ? 64 - c->fill : len;
        memcpy(c->blk + c->fill, p, k);
        c->fill += k;
        p += k;
        len -= k;
        if (c->fill == 64) {
            sha_block(c, c->blk);
            c->fill = 0;
        }
    }
}

static void sha_hex(sha256 *c, char hex[65])
{
    uint64_t bits = c->n * 8;
    unsigned char pad = 0x80, zero = 0, len[8];
    sha_add(c, &pad, 1);
    while (c->fill != 56)
        sha_add(c, &zero, 1);
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha_add(c, len, 8);
    for (int i = 0; i < 8; i++)
        snprintf(hex + 8 * i, 9, "%08x", (unsigned)c->h[i]);
    hex[64] = '\0';
}

void mt_native_sha256_hex(const void *data, size_t len, char hex[65])
{
    sha256 c;
    sha_init(&c);
    sha_add(&c, data, len);
    sha_hex(&c, hex);
}

/* ---------- the cache directory ---------- */

/* mkdir -p with mode 0700 for the components that are missing. */
static int make_dirs(char *path)
{
    for (char *q = path + 1; *q; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        int r = mkdir(path, 0700);
        *q = '/';
        if (r != 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

mt_status mt_native_cache_dir(mt_ctx *ctx, char *out, size_t cap)
{
    const char *env = getenv("MEDTWIN_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (env && *env)
        n = snprintf(out, cap, "%s", env);
    else if (xdg && xdg[0] == '/')
        n = snprintf(out, cap, "%s/medtwin", xdg);
    else if (home && home[0] == '/')
        n = snprintf(out, cap, "%s/.cache/medtwin", home);
    else
        return mt_error(ctx, MT_EINVAL, "no cache directory (set MEDTWIN_CACHE_DIR or HOME)");
    if (n < 0 || (size_t)n >= cap)
        return mt_error(ctx, MT_ELIMIT, "cache directory path too long");
    while (n > 1 && out[n - 1] == '/')
        out[--n] = '\0';
    struct stat st;
    if (lstat(out, &st) != 0) {
        if (errno != ENOENT || make_dirs(out) != 0 || lstat(out, &st) != 0)
            return mt_error(ctx, MT_EIO, "cache directory %s: cannot create it: %s", out,
                            strerror(errno));
    }
    if (S_ISLNK(st.st_mode))
        return mt_error(ctx, MT_EINVAL, "cache directory %s is a symbolic link (refused)", out);
    if (!S_ISDIR(st.st_mode))
        return mt_error(ctx, MT_EINVAL, "cache directory %s is not a directory", out);
    if (st.st_uid != geteuid())
        return mt_error(ctx, MT_EINVAL, "cache directory %s is owned by another user (refused)",
                        out);
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return mt_error(ctx, MT_EINVAL,
                        "cache directory %s is writable by group or others (refused; chmod 700)",
                        out);
    return MT_OK;
}

/* ---------- the compiler ---------- */

static int executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The compiler's path: $MEDTWIN_CC (a path, or a name looked up in PATH), else cc, else gcc. */
static int find_compiler(char *out, size_t cap)
{
    const char *want = getenv("MEDTWIN_CC");
    const char *names[2] = {"cc", "gcc"};
    size_t n_names = 2;
    if (want && *want) {
        if (strchr(want, '/')) {
            int n = snprintf(out, cap, "%s", want);
            return n > 0 && (size_t)n < cap && executable(out) ? 0 : -1;
        }
        names[0] = want;
        n_names = 1;
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (size_t k = 0; k < n_names; k++) {
        for (const char *p = path; *p;) {
            const char *e = strchr(p, ':');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            if (len > 0 && p[0] == '/') {
                int n = snprintf(out, cap, "%.*s/%s", (int)len, p, names[k]);
                if (n > 0 && (size_t)n < cap && executable(out))
                    return 0;
            }
            p += len;
            if (*p == ':')
                p++;
        }
    }
    return -1;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return 1e3 * (double)ts.tv_sec + 1e-6 * (double)ts.tv_nsec;
}

/* Runs cc FLAGS -o so c -lm with no shell and the standard streams on /dev/null. */
static int run_compiler(const char *cc, const char *c_path, const char *so_path)
{
    char flags[] = MT_NATIVE_CFLAGS;
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)cc;
    for (char *tok = flags; *tok && argc < 24;) {
        char *sp = strchr(tok, ' ');
        if (sp)
            *sp = '\0';
        argv[argc++] = tok;
        if (!sp)
            break;
        tok = sp + 1;
    }
    argv[argc++] = (char *)"-o";
    argv[argc++] = (char *)so_path;
    argv[argc++] = (char *)c_path;
    argv[argc++] = (char *)"-lm";
    argv[argc] = NULL;
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int r = posix_spawn(&pid, cc, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0)
        return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* ---------- loading ---------- */

/* Loads and checks one object; 0 and nat filled, or -1 with why. */
static int load_checked(const char *path, const char *key, const mt_program *p, mt_native *nat,
                        char *why, size_t cap)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        snprintf(why, cap, "missing");
        return -1;
    }
    if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
        snprintf(why, cap, "not a private regular file");
        return -1;
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(why, cap, "does not load");
        return -1;
    }
    const char *k = dlsym(h, "mt_native_key");
    const unsigned long *shape = dlsym(h, "mt_native_shape");
    mt_native n = {h, NULL, NULL, NULL, NULL, NULL, ""};
    /* object -> function pointers through memcpy: ISO C has no cast between them */
    void *f;
    if ((f = dlsym(h, "mt_native_rhs")))
        memcpy(&n.rhs, &f, sizeof f);
    if ((f = dlsym(h, "mt_native_jac")))
        memcpy(&n.jac, &f, sizeof f);
    if ((f = dlsym(h, "mt_native_rules_dyn")))
        memcpy(&n.rules_dyn, &f, sizeof f);
    if ((f = dlsym(h, "mt_native_roots")))
        memcpy(&n.roots, &f, sizeof f);
    n.rule = dlsym(h, "mt_native_rule");
    const char *bad = NULL;
    if (!k || !shape || !n.rhs || !n.jac || !n.rules_dyn || !n.roots || !n.rule)
        bad = "lacks a symbol";
    else if (strncmp(k, key, 65) != 0)
        bad = "has another key";
    else if (shape[0] != MT_NATIVE_ABI || shape[1] != p->n_slot || shape[2] != p->n_state ||
             shape[3] != (p->has_jac ? p->n_jac : 0) || shape[4] != p->n_roots)
        bad = "has another shape";
    if (bad) {
        snprintf(why, cap, "%s", bad);
        dlclose(h);
        return -1;
    }
    n.info[0] = '\0';
    *nat = n;
    return 0;
}

static int write_all(int fd, const char *s, size_t len)
{
    while (len) {
        ssize_t w = write(fd, s, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        s += w;
        len -= (size_t)w;
    }
    return 0;
}

static uint64_t tmp_token(void)
{
    uint64_t r = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &r, sizeof r) != (ssize_t)sizeof r)
            r = 0;
        close(fd);
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return r ^ ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
}

/* Compiles src (with the key line) into dir and loads it; 0 or -1 with why. */
static int compile_and_load(const char *cc, const char *dir, const char *key, const char *src,
                            size_t len, const mt_program *p, const char *final_path, mt_native *nat,
                            char *why, size_t cap)
{
    char c_path[PATH_MAX], so_path[PATH_MAX];
    int fd = -1;
    for (int tries = 0; tries < 16 && fd < 0; tries++) {
        unsigned long long tok = (unsigned long long)tmp_token();
        int a = snprintf(c_path, sizeof c_path, "%s/tmp-%016llx.c", dir, tok);
        int b = snprintf(so_path, sizeof so_path, "%s/tmp-%016llx.so", dir, tok);
        if (a < 0 || b < 0 || (size_t)a >= sizeof c_path || (size_t)b >= sizeof so_path) {
            snprintf(why, cap, "cache path too long");
            return -1;
        }
        fd = open(c_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 && errno != EEXIST) {
            snprintf(why, cap, "cannot write in the cache directory: %s", strerror(errno));
            return -1;
        }
    }
    if (fd < 0) {
        snprintf(why, cap, "no temporary name in the cache directory");
        return -1;
    }
    char keyline[128];
    int kl = snprintf(keyline, sizeof keyline, "const char mt_native_key[] = \"%s\";\n", key);
    int ok = write_all(fd, src, len) == 0 && write_all(fd, keyline, (size_t)kl) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        unlink(c_path);
        snprintf(why, cap, "cannot write the generated source");
        return -1;
    }
    int r = run_compiler(cc, c_path, so_path);
    unlink(c_path);
    if (r != 0) {
        unlink(so_path);
        snprintf(why, cap, "the C compiler failed");
        return -1;
    }
    /* the compiler creates the object with the umask's mode; the cache wants it private */
    if (chmod(so_path, 0600) != 0 || load_checked(so_path, key, p, nat, why, cap) != 0) {
        unlink(so_path);
        if (!why[0])
            snprintf(why, cap, "cannot protect the object");
        return -1;
    }
    if (rename(so_path, final_path) != 0)
        unlink(so_path); /* still loaded; the next process compiles again */
    return 0;
}

/* ---------- attach ---------- */

mt_native_mode mt_native_resolve(mt_native_mode mode)
{
    if (mode != MT_NATIVE_DEFAULT)
        return mode;
    const char *e = getenv("MEDTWIN_NATIVE");
    if (e && !strcmp(e, "0"))
        return MT_NATIVE_OFF;
    if (e && !strcmp(e, "1"))
        return MT_NATIVE_ON;
    return MT_NATIVE_DEFAULT;
}

mt_status mt_native_attach(mt_ctx *ctx, mt_program *p, mt_native_mode mode)
{
    mt_native *nat = &p->nat;
    memset(nat, 0, sizeof *nat);
    mode = mt_native_resolve(mode);
    if (mode == MT_NATIVE_OFF) {
        snprintf(nat->info, sizeof nat->info, "vm: native code off");
        return MT_OK;
    }
    if (p->n_delay) {
        snprintf(nat->info, sizeof nat->info,
                 "vm: delay() reads the simulator's history, which native code does not");
        return MT_OK;
    }
    /* the loop of a Newton solve (MT_E_NEWTON, a nonlinear algebraic rule) is the only
     * backward jump; the translation handles forward jumps only */
    for (size_t i = 0; i < p->n_code; i++)
        if (p->code[i].op == MT_OP_JMP && p->code[i].a <= 0) {
            snprintf(nat->info, sizeof nat->info,
                     "vm: a nonlinear algebraic rule (Newton's method, a loop) is not translated");
            return MT_OK;
        }
    double t0 = now_ms();
    char cc[PATH_MAX], real[PATH_MAX], dir[PATH_MAX], path[PATH_MAX], why[160] = "";
    if (find_compiler(cc, sizeof cc) != 0 || !realpath(cc, real)) {
        snprintf(nat->info, sizeof nat->info, "vm: no C compiler found (cc, gcc or $MEDTWIN_CC)");
        return MT_OK;
    }
    mt_ctx scratch = {""}; /* messages that must not touch the caller's last error */
    if (mt_native_cache_dir(&scratch, dir, sizeof dir) != MT_OK) {
        snprintf(nat->info, sizeof nat->info, "vm: %.240s", scratch.msg);
        return MT_OK;
    }
    char *src = NULL;
    size_t len = 0;
    mt_status st = mt_codegen_c(&scratch, p, &src, &len);
    if (st == MT_ENOMEM)
        return mt_error(ctx, MT_ENOMEM, "out of memory generating native code");
    if (st != MT_OK) {
        snprintf(nat->info, sizeof nat->info, "vm: %.240s", scratch.msg);
        return MT_OK;
    }
    struct stat cst;
    char ident[PATH_MAX + 64], key[65];
    int il = 0;
    if (stat(real, &cst) == 0)
        il = snprintf(ident, sizeof ident, "abi %d\ncc %s %lld %lld\nflags %s\n", MT_NATIVE_ABI,
                      real, (long long)cst.st_size, (long long)cst.st_mtime, MT_NATIVE_CFLAGS);
    if (il <= 0 || (size_t)il >= sizeof ident) {
        mt_free(ctx, src);
        snprintf(nat->info, sizeof nat->info, "vm: cannot identify the C compiler");
        return MT_OK;
    }
    sha256 h;
    sha_init(&h);
    sha_add(&h, ident, (size_t)il);
    sha_add(&h, src, len);
    sha_hex(&h, key);
    int n = snprintf(path, sizeof path, "%s/mt-%s.so", dir, key);
    if (n < 0 || (size_t)n >= sizeof path) {
        mt_free(ctx, src);
        snprintf(nat->info, sizeof nat->info, "vm: cache path too long");
        return MT_OK;
    }
    const char *how = "compiled";
    struct stat ost;
    int cached = lstat(path, &ost) == 0;
    size_t size = mt_codegen_size(p);
    if (!cached && mode == MT_NATIVE_DEFAULT && size > MT_NATIVE_AUTO_MAX_INS) {
        mt_free(ctx, src);
        snprintf(nat->info, sizeof nat->info,
                 "vm: %zu instructions: not compiled by default (MEDTWIN_NATIVE=1 compiles it)",
                 size);
        return MT_OK;
    }
    if (cached) {
        if (load_checked(path, key, p, nat, why, sizeof why) == 0) {
            mt_free(ctx, src);
            snprintf(nat->info, sizeof nat->info, "native: loaded from the cache (%.1f ms)",
                     now_ms() - t0);
            return MT_OK;
        }
        /* a bad object under our key: replace it */
        if (!S_ISDIR(ost.st_mode))
            unlink(path);
        how = "rebuilt";
    }
    char bad_why[160];
    snprintf(bad_why, sizeof bad_why, "%s", why);
    why[0] = '\0';
    int r = compile_and_load(real, dir, key, src, len, p, path, nat, why, sizeof why);
    mt_free(ctx, src);
    if (r != 0) {
        memset(nat, 0, sizeof *nat);
        snprintf(nat->info, sizeof nat->info, "vm: %s", why);
        return MT_OK;
    }
    if (!strcmp(how, "rebuilt"))
        snprintf(nat->info, sizeof nat->info, "native: rebuilt (the cached object %s) in %.1f ms",
                 bad_why, now_ms() - t0);
    else
        snprintf(nat->info, sizeof nat->info, "native: compiled in %.1f ms", now_ms() - t0);
    return MT_OK;
}

void mt_native_detach(mt_program *p)
{
    if (p->nat.handle)
        dlclose(p->nat.handle);
    p->nat.handle = NULL;
    p->nat.rhs = p->nat.jac = p->nat.rules_dyn = p->nat.roots = NULL;
    p->nat.rule = NULL;
}

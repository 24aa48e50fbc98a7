/* SPDX-License-Identifier: Apache-2.0
 *
 * node/privacy.c — the node key file and the protection of twins' personal data
 * (node/privacy.h, docs/node.md "Data protection").
 *
 * Every twin has its own random 32-byte data key. Its profile versions are encrypted with it
 * (XChaCha20-Poly1305, a random 24-byte nonce per version, the twin id and version number as
 * associated data, so a ciphertext moved to another row does not open); the data key itself is
 * stored wrapped (encrypted) with the wrap key derived from the node key. Destroying the wrapped
 * data key makes every version of the twin unreadable for good, while the versions themselves
 * stay immutable (GDPR Art. 17 by crypto-shredding).
 *
 * Costs: one key derivation per node start; per operation one BLAKE2b and one or two AEAD
 * passes over a profile (kilobytes). Nothing here logs or prints key material.
 */
#define _POSIX_C_SOURCE 200809L
#include "node/privacy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KDF_CONTEXT "mtnode01"

static void hex(const unsigned char *b, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[b[i] >> 4];
        out[2 * i + 1] = d[b[i] & 15];
    }
    out[2 * n] = 0;
}

/* Creates path with 32 random bytes, mode 0600; never replaces an existing file. */
static mt_status create_key_file(mt_ctx *ctx, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return mt_error(ctx, MT_EIO, "node key %s: cannot create it: %s", path, strerror(errno));
    unsigned char key[MT_PRIVACY_KEY_BYTES];
    randombytes_buf(key, sizeof key);
    ssize_t w = write(fd, key, sizeof key);
    sodium_memzero(key, sizeof key);
    int ok = w == (ssize_t)sizeof key && fchmod(fd, 0600) == 0 && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0)
        ok = 0;
    if (!ok) {
        unlink(path);
        return mt_error(ctx, MT_EIO, "node key %s: cannot write it: %s", path,
                        w < 0 || w == (ssize_t)sizeof key ? strerror(saved) : "short write");
    }
    return MT_OK;
}

mt_status mt_privacy_keys_load(mt_ctx *ctx, const char *path, int create, mt_privacy_keys **out)
{
    *out = NULL;
    if (!path || !*path)
        return mt_error(ctx, MT_EINVAL, "node key: no file given");
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT && create) {
        mt_status st = create_key_file(ctx, path);
        if (st != MT_OK)
            return st;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    }
    if (fd < 0)
        return mt_error(ctx, MT_EIO, "node key %s: cannot open it: %s%s", path, strerror(errno),
                        errno == ELOOP ? " (a symbolic link is not accepted)" : "");
    struct stat sb;
    mt_status st = MT_OK;
    if (fstat(fd, &sb) != 0)
        st = mt_error(ctx, MT_EIO, "node key %s: %s", path, strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        st = mt_error(ctx, MT_EINVAL, "node key %s: not a regular file", path);
    else if (sb.st_uid != geteuid())
        st = mt_error(ctx, MT_EINVAL,
                      "node key %s: owned by user %lu, not by this user (%lu): refusing it", path,
                      (unsigned long)sb.st_uid, (unsigned long)geteuid());
    else if (sb.st_mode & 077)
        st = mt_error(ctx, MT_EINVAL,
                      "node key %s: group or others may access it (mode %04o): refusing it; "
                      "chmod 600 %s",
                      path, (unsigned)(sb.st_mode & 07777), path);
    else if (sb.st_size != MT_PRIVACY_KEY_BYTES)
        st = mt_error(ctx, MT_EINVAL, "node key %s: %lld bytes, a node key has exactly %d", path,
                      (long long)sb.st_size, MT_PRIVACY_KEY_BYTES);
    unsigned char *master = st == MT_OK ? sodium_malloc(MT_PRIVACY_KEY_BYTES) : NULL;
    mt_privacy_keys *k = st == MT_OK ? sodium_malloc(sizeof *k) : NULL;
    if (st == MT_OK && (!master || !k))
        st = mt_error(ctx, MT_ENOMEM, "node key: out of memory");
    if (st == MT_OK) {
        size_t got = 0;
        while (got < MT_PRIVACY_KEY_BYTES) {
            ssize_t r = read(fd, master + got, MT_PRIVACY_KEY_BYTES - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        if (got != MT_PRIVACY_KEY_BYTES)
            st = mt_error(ctx, MT_EIO, "node key %s: cannot read 32 bytes", path);
    }
    close(fd);
    if (st == MT_OK) {
        unsigned char seed[crypto_sign_SEEDBYTES];
        crypto_kdf_derive_from_key(k->pseudonym, sizeof k->pseudonym, 1, KDF_CONTEXT, master);
        crypto_kdf_derive_from_key(k->wrap, sizeof k->wrap, 2, KDF_CONTEXT, master);
        crypto_kdf_derive_from_key(seed, sizeof seed, 3, KDF_CONTEXT, master);
        crypto_sign_seed_keypair(k->sign_pk, k->sign_sk, seed);
        sodium_memzero(seed, sizeof seed);
    }
    if (master)
        sodium_free(master); /* wipes it */
    if (st != MT_OK) {
        if (k)
            sodium_free(k);
        return st;
    }
    *out = k;
    return MT_OK;
}

mt_status mt_privacy_keys_open(mt_ctx *ctx, const char *db_url, const char *key_file,
                               mt_privacy_keys **out)
{
    *out = NULL;
    char *def = NULL;
    mt_status st = key_file ? MT_OK : mt_privacy_default_key_path(ctx, db_url, &def);
    if (st != MT_OK)
        return st;
    if (!key_file && !def)
        return mt_error(ctx, MT_EINVAL,
                        "the node key is required with this store: --key FILE (32 random bytes, "
                        "mode 0600; created when missing)");
    st = mt_privacy_keys_load(ctx, key_file ? key_file : def, 1, out);
    free(def);
    return st;
}

void mt_privacy_keys_destroy(mt_privacy_keys *k)
{
    if (k)
        sodium_free(k);
}

mt_status mt_privacy_default_key_path(mt_ctx *ctx, const char *db_url, char **out)
{
    *out = NULL;
    if (!db_url || strncmp(db_url, "sqlite:", 7) || !db_url[7])
        return MT_OK;
    size_t n = strlen(db_url + 7) + 5;
    if (!(*out = malloc(n)))
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    snprintf(*out, n, "%s.key", db_url + 7);
    return MT_OK;
}

void mt_privacy_pseudonym(const mt_privacy_keys *k, const char *group, const char *subject,
                          char out[MT_PRIVACY_PSEUDONYM_LEN + 1])
{
    crypto_generichash_state s;
    unsigned char h[MT_PRIVACY_PSEUDONYM_LEN / 2];
    crypto_generichash_init(&s, k->pseudonym, sizeof k->pseudonym, sizeof h);
    crypto_generichash_update(&s, (const unsigned char *)group, strlen(group) + 1);
    crypto_generichash_update(&s, (const unsigned char *)subject, strlen(subject));
    crypto_generichash_final(&s, h, sizeof h);
    hex(h, sizeof h, out);
}

void mt_privacy_wrap(const mt_privacy_keys *k, const char *twin_id,
                     const unsigned char dk[MT_PRIVACY_KEY_BYTES],
                     unsigned char out[MT_PRIVACY_WRAPPED_BYTES])
{
    unsigned char *nonce = out;
    randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, dk, MT_PRIVACY_KEY_BYTES,
        (const unsigned char *)twin_id, strlen(twin_id), NULL, nonce, k->wrap);
}

mt_status mt_privacy_unwrap(mt_ctx *ctx, const mt_privacy_keys *k, const char *twin_id,
                            const unsigned char *w, size_t n,
                            unsigned char dk[MT_PRIVACY_KEY_BYTES])
{
    unsigned long long dn = 0;
    if (n != MT_PRIVACY_WRAPPED_BYTES ||
        crypto_aead_xchacha20poly1305_ietf_decrypt(
            dk, &dn, NULL, w + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
            n - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, (const unsigned char *)twin_id,
            strlen(twin_id), w, k->wrap) != 0 ||
        dn != MT_PRIVACY_KEY_BYTES) {
        sodium_memzero(dk, MT_PRIVACY_KEY_BYTES);
        return mt_error(ctx, MT_EIO,
                        "the data key of twin %s does not open with this node key (another "
                        "--key, or a changed row)",
                        twin_id);
    }
    return MT_OK;
}

mt_status mt_privacy_seal(mt_ctx *ctx, const unsigned char dk[MT_PRIVACY_KEY_BYTES],
                          const char *aad, const void *pt, size_t n, unsigned char **out,
                          size_t *out_n)
{
    *out = NULL;
    *out_n = 0;
    size_t total = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + n +
                   crypto_aead_xchacha20poly1305_ietf_ABYTES;
    unsigned char *b = malloc(total);
    if (!b)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    randombytes_buf(b, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(b + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                               NULL, pt, n, (const unsigned char *)aad, strlen(aad),
                                               NULL, b, dk);
    *out = b;
    *out_n = total;
    return MT_OK;
}

mt_status mt_privacy_open(mt_ctx *ctx, const unsigned char dk[MT_PRIVACY_KEY_BYTES],
                          const char *aad, const unsigned char *in, size_t n, char **out,
                          size_t *out_n)
{
    *out = NULL;
    *out_n = 0;
    const size_t over =
        crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (n < over)
        return mt_error(ctx, MT_EIO, "an encrypted version is too short (%zu bytes)", n);
    char *b = malloc(n - over + 1);
    if (!b)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    unsigned long long pn = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            (unsigned char *)b, &pn, NULL, in + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
            n - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, (const unsigned char *)aad,
            strlen(aad), in, dk) != 0) {
        free(b);
        return mt_error(ctx, MT_EIO, "an encrypted version does not open (%s): changed at rest",
                        aad);
    }
    b[pn] = 0;
    *out = b;
    *out_n = (size_t)pn;
    return MT_OK;
}

void mt_privacy_content_id(const unsigned char dk[MT_PRIVACY_KEY_BYTES], const void *pt, size_t n,
                           char out[65])
{
    static const char label[] = "medtwin twin content id";
    unsigned char ck[crypto_generichash_KEYBYTES], h[32];
    crypto_generichash(ck, sizeof ck, (const unsigned char *)label, sizeof label - 1, dk,
                       MT_PRIVACY_KEY_BYTES);
    crypto_generichash(h, sizeof h, pt, n, ck, sizeof ck);
    sodium_memzero(ck, sizeof ck);
    hex(h, sizeof h, out);
}

/* ---- the store's secrets (node_secrets, migration 5) ---------------------------------------- */

typedef struct {
    int found;
    char id[80];
    unsigned char w[MT_PRIVACY_WRAPPED_BYTES];
    size_t n;
} wrapped_row;

/* First row: a blob (wrapped) and optionally a text (twin id). */
static int take_wrapped(void *arg, size_t n, const mt_value *c, const char *const *names)
{
    (void)names;
    wrapped_row *r = arg;
    r->found = 1;
    r->n = 0;
    if (n >= 1 && c[0].type == MT_VALUE_BLOB && c[0].n <= sizeof r->w) {
        memcpy(r->w, c[0].s, c[0].n);
        r->n = c[0].n;
    }
    if (n >= 2 && c[1].type == MT_VALUE_TEXT)
        snprintf(r->id, sizeof r->id, "%.*s", (int)c[1].n, c[1].s);
    return 1;
}

static void now_iso(char out[40])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

mt_status mt_privacy_keys_bind(mt_store *s, mt_ctx *ctx, mt_privacy_keys *k)
{
    static const char wrong[] =
        "the node key does not open this store (%s): it is not this store's key; after "
        "`medtwin key rotate` only the new key opens it";
    mt_store_conn *c;
    mt_status st = mt_store_acquire(s, ctx, &c);
    if (st != MT_OK)
        return st;
    for (int attempt = 0; st == MT_OK && attempt < 2; attempt++) {
        wrapped_row r = {0};
        st = mt_store_begin(c, ctx);
        if (st == MT_OK)
            st = mt_store_exec(c, ctx, "SELECT wrapped FROM node_secrets WHERE name = 'pseudonym'",
                               0, NULL, take_wrapped, &r, NULL);
        if (st == MT_OK && r.found) {
            unsigned char pk[MT_PRIVACY_KEY_BYTES];
            mt_ctx *quiet = NULL;
            st = mt_ctx_create(&quiet);
            if (st == MT_OK &&
                mt_privacy_unwrap(quiet, k, MT_PRIVACY_SECRET_PSEUDONYM, r.w, r.n, pk) != MT_OK)
                st = mt_error(ctx, MT_EINVAL, wrong, "its pseudonym key does not unwrap");
            mt_ctx_destroy(quiet);
            if (st == MT_OK)
                memcpy(k->pseudonym, pk, sizeof pk);
            sodium_memzero(pk, sizeof pk);
            mt_store_rollback(c);
            break;
        }
        /* none yet: this key must open the store's twins (if any) before it may set the secret */
        wrapped_row t = {0};
        if (st == MT_OK)
            st = mt_store_exec(c, ctx, "SELECT wrapped, twin_id FROM twin_keys LIMIT 1", 0, NULL,
                               take_wrapped, &t, NULL);
        if (st == MT_OK && t.found) {
            unsigned char dk[MT_PRIVACY_KEY_BYTES];
            mt_ctx *quiet = NULL;
            st = mt_ctx_create(&quiet);
            if (st == MT_OK && mt_privacy_unwrap(quiet, k, t.id, t.w, t.n, dk) != MT_OK)
                st = mt_error(ctx, MT_EINVAL, wrong, "a twin's data key does not unwrap");
            mt_ctx_destroy(quiet);
            sodium_memzero(dk, sizeof dk);
        }
        unsigned char w[MT_PRIVACY_WRAPPED_BYTES];
        char ts[40];
        now_iso(ts);
        mt_privacy_wrap(k, MT_PRIVACY_SECRET_PSEUDONYM, k->pseudonym, w);
        mt_value p[3] = {mt_v_blob(w, sizeof w), mt_v_text(ts), mt_v_text(ts)};
        if (st == MT_OK)
            st = mt_store_exec(c, ctx,
                               "INSERT INTO node_secrets(name, wrapped, created, updated) VALUES "
                               "('pseudonym', ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                               3, p, NULL, NULL, NULL);
        st = mt_store_finish(c, ctx, st);
        /* then read it back: another node may have set it at the same time */
    }
    mt_store_release(c);
    return st;
}

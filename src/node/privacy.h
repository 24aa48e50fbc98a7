/* SPDX-License-Identifier: Apache-2.0
 *
 * node/privacy.h — the node's keys and the protection of personal data (node/privacy.c): the
 * node key file, the keys derived from it, pseudonyms, the per-twin data keys and the
 * encryption of twin profiles at rest (docs/node.md, "Data protection"). Not installed.
 *
 * The node key file holds exactly 32 random bytes (the master key), is created 0600 when
 * missing, and is refused when group or others may read or write it or when another user owns
 * it. The master key is used only to derive four subkeys (libsodium crypto_kdf, BLAKE2b, context
 * "mtnode01") and is then wiped:
 *   1 the pseudonym key  (keyed BLAKE2b of group and the profile's own id),
 *   2 the wrap key       (XChaCha20-Poly1305 around each twin's data key),
 *   3 the signing seed   (the Ed25519 key pair that signs the audit head),
 *   4 reserved.
 * The keys live in sodium_malloc'd memory (guard pages, locked where the system allows) and are
 * wiped by mt_privacy_keys_destroy.
 */
#ifndef MT_NODE_PRIVACY_H
#define MT_NODE_PRIVACY_H

#include "medtwin/error.h"
#include "medtwin/store.h"

#include <sodium.h>
#include <stddef.h>

#define MT_PRIVACY_KEY_BYTES 32
/* A pseudonym: 16 bytes of keyed BLAKE2b in lower-case hex. */
#define MT_PRIVACY_PSEUDONYM_LEN 32
/* A wrapped data key: nonce, key, tag. */
#define MT_PRIVACY_WRAPPED_BYTES                                                                   \
    (crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + MT_PRIVACY_KEY_BYTES +                         \
     crypto_aead_xchacha20poly1305_ietf_ABYTES)

typedef struct mt_privacy_keys {
    unsigned char pseudonym[MT_PRIVACY_KEY_BYTES];
    unsigned char wrap[MT_PRIVACY_KEY_BYTES];
    unsigned char sign_pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sign_sk[crypto_sign_SECRETKEYBYTES];
} mt_privacy_keys;

/* Reads the node key file at path (created with 32 random bytes, mode 0600, when it is missing
 * and create is 1) and derives the keys. OUT: *out (mt_privacy_keys_destroy). MT_EIO when the
 * file cannot be read or created; MT_EINVAL when it is not a regular file of exactly 32 bytes,
 * is readable or writable by group or others, or is owned by another user (the message says
 * which and how to fix it). Never prints the key. */
MT_NODISCARD mt_status mt_privacy_keys_load(mt_ctx *ctx, const char *path, int create,
                                            mt_privacy_keys **out);
void mt_privacy_keys_destroy(mt_privacy_keys *k);
/* The node's keys for a store: key_file, or the default of db_url (created when missing);
 * MT_EINVAL naming --key when there is neither. */
MT_NODISCARD mt_status mt_privacy_keys_open(mt_ctx *ctx, const char *db_url, const char *key_file,
                                            mt_privacy_keys **out);

/* The associated data under which the store's pseudonym key is wrapped in node_secrets (not a
 * twin id: those are 32 hex digits). */
#define MT_PRIVACY_SECRET_PSEUDONYM "node-secret:pseudonym"

/* Binds k to the store s (node start, after the migrations): the pseudonym key is the one the
 * store keeps in node_secrets, wrapped with the wrap key, so that pseudonyms stay the same when
 * the node key is rotated (medtwin key rotate). On the first keyed start of a store the key
 * derived from the node key (subkey 1) is stored there, so a store written before keeps its
 * pseudonyms. MT_EINVAL when the stored secret, or a twin's data key of a store without one,
 * does not open with this node key (another key, or the old key after a rotation): the
 * message says so. MT_EIO for storage errors. */
MT_NODISCARD mt_status mt_privacy_keys_bind(mt_store *s, mt_ctx *ctx, mt_privacy_keys *k);

/* The default key file of a store URL: "PATH.key" for "sqlite:PATH"; NULL (no default) for
 * anything else. OUT: *out (free()); MT_ENOMEM. */
MT_NODISCARD mt_status mt_privacy_default_key_path(mt_ctx *ctx, const char *db_url, char **out);

/* The pseudonym of subject (the profile's own "id") in group: keyed BLAKE2b-128 of
 * group NUL subject, hex. Deterministic for one node key. */
void mt_privacy_pseudonym(const mt_privacy_keys *k, const char *group, const char *subject,
                          char out[MT_PRIVACY_PSEUDONYM_LEN + 1]);

/* A data key wrapped for twin_id (the id is the associated data: a wrapped key moved to another
 * twin does not open). */
void mt_privacy_wrap(const mt_privacy_keys *k, const char *twin_id,
                     const unsigned char dk[MT_PRIVACY_KEY_BYTES],
                     unsigned char out[MT_PRIVACY_WRAPPED_BYTES]);
/* MT_EIO when w does not open (another node key, or a changed row). */
MT_NODISCARD mt_status mt_privacy_unwrap(mt_ctx *ctx, const mt_privacy_keys *k, const char *twin_id,
                                         const unsigned char *w, size_t n,
                                         unsigned char dk[MT_PRIVACY_KEY_BYTES]);

/* Encrypts pt with dk (XChaCha20-Poly1305, a random nonce, aad bound). OUT: *out = nonce ||
 * ciphertext || tag (malloc, free()), *out_n. MT_ENOMEM. */
MT_NODISCARD mt_status mt_privacy_seal(mt_ctx *ctx, const unsigned char dk[MT_PRIVACY_KEY_BYTES],
                                       const char *aad, const void *pt, size_t n,
                                       unsigned char **out, size_t *out_n);
/* Decrypts what mt_privacy_seal wrote. OUT: *out (NUL-terminated, malloc; the caller wipes and
 * frees it), *out_n. MT_EIO when it does not open; MT_ENOMEM. */
MT_NODISCARD mt_status mt_privacy_open(mt_ctx *ctx, const unsigned char dk[MT_PRIVACY_KEY_BYTES],
                                       const char *aad, const unsigned char *in, size_t n,
                                       char **out, size_t *out_n);

/* The content id of a twin version: keyed BLAKE2b-256 of pt under a key derived from dk, hex.
 * Stands in for the SHA-256 of other resources' versions: equal content gives an equal id
 * within one twin, and nothing can be learnt from it without the data key (a plain hash of a
 * profile could be confirmed by guessing). */
void mt_privacy_content_id(const unsigned char dk[MT_PRIVACY_KEY_BYTES], const void *pt, size_t n,
                           char out[65]);

#endif

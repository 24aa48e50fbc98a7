/* SPDX-License-Identifier: Apache-2.0
 *
 * node/http.c — the node's HTTP server on GNU libmicrohttpd (the only file that includes
 * microhttpd.h). One daemon with a pool of `threads` workers, each polling (poll(2)) the
 * listening socket and its own connections: at most `threads` handlers run at once, and a slow
 * handler delays only the connections its worker has already accepted.
 *
 * A request's life: the URI callback allocates its context (the raw URI is seen only there,
 * which is where a %00 in the path is caught); the first access-handler call checks the method,
 * the path and the declared Content-Length, and may answer at once (405, 400, 413) without
 * reading the body; the following calls append the body to a buffer that grows by doubling up
 * to max_body + 1 bytes (the NUL), so memory per connection is bounded by what was actually
 * received, not by what was declared; the last call runs the handler and queues its response;
 * NOTIFY_COMPLETED frees the context, whatever the way the request ended (answered, timed out,
 * client gone, daemon stopped).
 *
 * Limits (see docs/internals/http.md): bodies max_body (16 MiB by default), request line and
 * headers within MT_HTTP_CONN_MEMORY per connection (libmicrohttpd answers 414/431 itself
 * beyond), paths 2048 bytes, max_connections (256) connections over the whole pool, idle
 * timeout timeout_s (30 s) — also the bound on a body sent too slowly.
 *
 * SIGPIPE: libmicrohttpd sends with MSG_NOSIGNAL on Linux (MHD_FEATURE_AUTOSUPPRESS_SIGPIPE),
 * so a client that goes away does not kill the process; the CLI still ignores SIGPIPE for
 * the rest of the program (GnuTLS, logging to a closed pipe).
 */
#define _POSIX_C_SOURCE 200809L
#include "node/http.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MT_HTTP_MAX_PATH 2048
/* Per connection, for libmicrohttpd's own pool: the request line, the headers and its read
 * buffer (bodies are copied out at once into our buffer). Twice the library default, for long
 * bearer tokens and query strings; 256 connections cost 16 MiB at most. */
#define MT_HTTP_CONN_MEMORY ((size_t)64 * 1024)
#define MT_HTTP_MAX_PEM ((size_t)1 << 20)
#define MT_HTTP_DEFAULT_MAX_BODY ((size_t)16 << 20)
#define MT_HTTP_DEFAULT_TIMEOUT 30u
#define MT_HTTP_DEFAULT_MAX_CONN 256u
#define MT_HTTP_ALLOW "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"

struct mt_http_server {
    struct MHD_Daemon *daemon;
    mt_http_handler handler;
    void *arg;
    size_t max_body;
    char *cert, *key; /* PEM text, kept until the daemon stops */
    size_t key_len;
    /* libmicrohttpd's messages while starting (the reason a bind failed); dropped once started */
    pthread_mutex_t log_lock;
    int started;
    char log[512];
};

/* One request (con_cls). */
typedef struct {
    int seen;     /* the access handler has had its first call */
    int nul_path; /* the raw path holds %00 */
    int answered; /* a response is queued */
    char *body;   /* NUL-terminated, or NULL for none yet */
    size_t len, cap;
    char remote[INET6_ADDRSTRLEN];
} request_ctx;

typedef union {
    struct sockaddr sa;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
} sockaddr_any;

/* ---------------------------------------------------------------- listen address ------ */

static int parse_port(const char *s, uint16_t *port)
{
    unsigned long v = 0;
    size_t n = 0;
    for (; s[n]; n++) {
        if (s[n] < '0' || s[n] > '9' || n >= 5)
            return 0;
        v = v * 10 + (unsigned long)(s[n] - '0');
    }
    if (!n || v > 65535)
        return 0;
    *port = (uint16_t)v;
    return 1;
}

/* "host:port", "[v6]:port" or ":port" (every address: IPv6 dual stack where the host has IPv6,
 * IPv4 otherwise). Numeric addresses only: no name lookup at start-up. OUT: *addr, *flags (the
 * address-family flags for MHD_start_daemon). */
static mt_status parse_listen(mt_ctx *ctx, const char *listen, sockaddr_any *addr, unsigned *flags)
{
    const char *s = listen ? listen : "", *colon, *host_end;
    char host[INET6_ADDRSTRLEN + 1];
    uint16_t port;
    int v6 = 0;
    memset(addr, 0, sizeof *addr);
    *flags = 0;
    if (s[0] == '[') {
        host_end = strchr(s, ']');
        if (!host_end || host_end[1] != ':')
            return mt_error(ctx, MT_EINVAL,
                            "listen address '%s': expected [IPv6]:PORT, as [::1]:8080", s);
        colon = host_end + 1;
        s++;
        v6 = 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return mt_error(ctx, MT_EINVAL,
                            "listen address '%s': expected HOST:PORT, as 127.0.0.1:8080 or :8080",
                            s);
        host_end = colon;
        if (memchr(s, ':', (size_t)(colon - s)))
            return mt_error(ctx, MT_EINVAL,
                            "listen address '%s': an IPv6 address goes in brackets, as [::1]:8080",
                            s);
    }
    if (!parse_port(colon + 1, &port))
        return mt_error(ctx, MT_EINVAL, "listen address '%s': '%s' is not a port (0 to 65535)",
                        listen ? listen : "", colon + 1);
    size_t n = (size_t)(host_end - s);
    if (n >= sizeof host)
        return mt_error(ctx, MT_EINVAL, "listen address '%s': the host is too long", listen);
    memcpy(host, s, n);
    host[n] = '\0';
    if (!n && v6)
        return mt_error(ctx, MT_EINVAL, "listen address '%s': empty brackets", listen);
    if (!n) {
        int fd = socket(AF_INET6, SOCK_STREAM, 0);
        if (fd >= 0) {
            close(fd);
            addr->v6.sin6_family = AF_INET6;
            addr->v6.sin6_addr = in6addr_any;
            addr->v6.sin6_port = htons(port);
            *flags = MHD_USE_DUAL_STACK;
        } else {
            addr->v4.sin_family = AF_INET;
            addr->v4.sin_addr.s_addr = htonl(INADDR_ANY);
            addr->v4.sin_port = htons(port);
        }
        return MT_OK;
    }
    if (v6) {
        if (inet_pton(AF_INET6, host, &addr->v6.sin6_addr) != 1)
            return mt_error(ctx, MT_EINVAL, "listen address '%s': '%s' is not an IPv6 address",
                            listen, host);
        addr->v6.sin6_family = AF_INET6;
        addr->v6.sin6_port = htons(port);
        *flags = MHD_USE_IPv6;
        return MT_OK;
    }
    if (inet_pton(AF_INET, host, &addr->v4.sin_addr) != 1)
        return mt_error(ctx, MT_EINVAL,
                        "listen address '%s': '%s' is not a numeric IPv4 address (names are not "
                        "looked up; write 127.0.0.1 for localhost)",
                        listen, host);
    addr->v4.sin_family = AF_INET;
    addr->v4.sin_port = htons(port);
    return MT_OK;
}

/* ---------------------------------------------------------------- TLS files ----------- */

static void wipe(char *p, size_t n)
{
    volatile char *v = p;
    while (n--)
        *v++ = 0;
}

static mt_status read_pem(mt_ctx *ctx, const char *path, const char *what, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return mt_error(ctx, MT_EIO, "cannot open the TLS %s '%s': %s", what, path,
                        strerror(errno));
    mt_status st = mt_read_file(ctx, f, path, MT_HTTP_MAX_PEM, out, len);
    fclose(f);
    if (st == MT_ELIMIT)
        return mt_error(ctx, MT_EIO, "the TLS %s '%s' is larger than %zu bytes: not a PEM file",
                        what, path, MT_HTTP_MAX_PEM);
    if (st != MT_OK)
        return st == MT_ENOMEM ? st
                               : mt_error(ctx, MT_EIO, "cannot read the TLS %s '%s'", what, path);
    if (!strstr(*out, "-----BEGIN ")) {
        wipe(*out, *len);
        mt_free(ctx, *out);
        *out = NULL;
        return mt_error(ctx, MT_EIO, "the TLS %s '%s' is not PEM (no -----BEGIN line)", what, path);
    }
    return MT_OK;
}

/* ---------------------------------------------------------------- responses ----------- */

void mt_http_error(mt_http_response *res, int status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    free(res->body);
    res->body = NULL;
    res->body_len = 0;
    res->status = status;
    res->content_type = "application/json";
    json_t *j = json_pack("{s:{s:i,s:s}}", "error", "status", status, "message", msg);
    if (!j) {
        /* not UTF-8 (a client's bytes, or a sequence cut by the truncation above) */
        for (char *p = msg; *p; p++)
            if ((unsigned char)*p >= 0x80)
                *p = '?';
        j = json_pack("{s:{s:i,s:s}}", "error", "status", status, "message", msg);
    }
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    res->body = text; /* NULL when out of memory: the status alone goes out */
    res->body_len = text ? strlen(text) : 0;
}

/* Builds the libmicrohttpd response; takes res->body in every case. NULL: out of memory or a
 * header value libmicrohttpd refuses (a CR or LF in Location). */
static struct MHD_Response *build_response(mt_http_response *res, int allow)
{
    if (res->body && !res->body_len) {
        free(res->body);
        res->body = NULL;
    }
    struct MHD_Response *mr =
        MHD_create_response_from_buffer(res->body ? res->body_len : 0, res->body,
                                        res->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!mr) {
        free(res->body);
        res->body = NULL;
        return NULL;
    }
    res->body = NULL; /* the response owns it now */
    const char *type = res->content_type ? res->content_type : "application/json";
    int ok = MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, type) == MHD_YES &&
             MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff") == MHD_YES &&
             MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") == MHD_YES;
    if (ok && res->location)
        ok = MHD_add_response_header(mr, MHD_HTTP_HEADER_LOCATION, res->location) == MHD_YES;
    if (ok && res->www_authenticate)
        ok = MHD_add_response_header(mr, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer") == MHD_YES;
    if (ok && allow)
        ok = MHD_add_response_header(mr, MHD_HTTP_HEADER_ALLOW, MT_HTTP_ALLOW) == MHD_YES;
    if (!ok) {
        MHD_destroy_response(mr);
        return NULL;
    }
    return mr;
}

/* Queues res (taking its body); falls back to a bare 500 when the response cannot be built. */
static enum MHD_Result send_response(struct MHD_Connection *c, request_ctx *r,
                                     mt_http_response *res, int allow)
{
    if (res->status < 100 || res->status > 599)
        mt_http_error(res, 500, "internal error: the handler set no valid status (%d)",
                      res->status);
    struct MHD_Response *mr = build_response(res, allow);
    if (!mr) {
        mt_http_response fallback = {0};
        mt_http_error(&fallback, 500, "internal error: the response could not be built");
        if (!(mr = build_response(&fallback, 0)))
            return MHD_NO;
        res->status = 500;
    }
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)res->status, mr);
    MHD_destroy_response(mr);
    if (ok == MHD_YES)
        r->answered = 1;
    return ok;
}

static enum MHD_Result send_error(struct MHD_Connection *c, request_ctx *r, int status, int allow,
                                  const char *msg)
{
    mt_http_response res = {0};
    mt_http_error(&res, status, "%s", msg);
    return send_response(c, r, &res, allow);
}

/* ---------------------------------------------------------------- requests ------------ */

static int allowed_method(const char *m)
{
    static const char *const ok[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (!strcmp(m, ok[i]))
            return 1;
    return 0;
}

static int has_dotdot_segment(const char *p)
{
    while (*p) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return 1;
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

/* libmicrohttpd percent-decodes the path in place, so a %00 would silently cut it short: the
 * raw URI, seen only here, is checked up to the query. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    request_ctx *r = mt_calloc(NULL, 1, sizeof *r);
    if (!r)
        return NULL;
    for (const char *p = uri; *p && *p != '?'; p++)
        if (p[0] == '%' && p[1] == '0' && p[2] == '0')
            r->nul_path = 1;
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)c;
    (void)why;
    request_ctx *r = *con_cls;
    if (r) {
        mt_free(NULL, r->body);
        mt_free(NULL, r);
        *con_cls = NULL;
    }
}

/* 0, or 1 when the body would pass max, -1 out of memory. */
static int body_append(request_ctx *r, size_t max, const char *data, size_t n)
{
    if (n > max - r->len)
        return 1;
    size_t need = r->len + n + 1;
    if (need > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < need)
            cap *= 2; /* max <= SIZE_MAX / 4 (checked at start): no overflow */
        if (cap > max + 1)
            cap = max + 1;
        char *b = mt_realloc(NULL, r->body, cap);
        if (!b)
            return -1;
        r->body = b;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
    r->body[r->len] = '\0';
    return 0;
}

static void remote_address(struct MHD_Connection *c, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    out[0] = '\0';
    if (sa && sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)n);
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a)) /* an IPv4 client on the dual-stack socket */
            inet_ntop(AF_INET, &a->s6_addr[12], out, (socklen_t)n);
        else
            inet_ntop(AF_INET6, a, out, (socklen_t)n);
    }
}

/* The first call: everything that can be refused before reading the body. */
static enum MHD_Result first_call(mt_http_server *s, struct MHD_Connection *c, request_ctx *r,
                                  const char *url, const char *method)
{
    char msg[160];
    if (!allowed_method(method))
        return send_error(c, r, 405, 1, "method not allowed");
    /* 400 rather than 404 for all three: the request is malformed whatever the resources are,
     * and one answer for them all tells a prober nothing about the routes. */
    if (r->nul_path)
        return send_error(c, r, 400, 0, "the path holds a NUL byte (%00)");
    if (strlen(url) > MT_HTTP_MAX_PATH) {
        snprintf(msg, sizeof msg, "the path is longer than %d bytes", MT_HTTP_MAX_PATH);
        return send_error(c, r, 400, 0, msg);
    }
    if (has_dotdot_segment(url))
        return send_error(c, r, 400, 0, "the path holds a '..' segment");
    /* libmicrohttpd has already refused a malformed Content-Length (400); an unparsable one
     * here can only be one too large for unsigned long long. */
    const char *cl =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        errno = 0;
        char *end;
        unsigned long long v = strtoull(cl, &end, 10);
        if (errno || v > s->max_body) {
            snprintf(msg, sizeof msg, "the request body (%s bytes) is larger than %zu bytes", cl,
                     s->max_body);
            return send_error(c, r, 413, 0, msg);
        }
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    mt_http_server *s = cls;
    request_ctx *r = *con_cls;
    if (!r) /* on_uri ran out of memory */
        return MHD_NO;
    if (r->answered) { /* refused early; anything still coming is dropped */
        *upload_size = 0;
        return MHD_YES;
    }
    if (!r->seen) {
        r->seen = 1;
        return first_call(s, c, r, url, method);
    }
    if (*upload_size) {
        int rc = body_append(r, s->max_body, upload, *upload_size);
        *upload_size = 0;
        if (rc > 0) {
            /* A chunked body (no Content-Length) that grew too large. libmicrohttpd 0.9.75
             * accepts a response only between the headers and the body, or after the whole
             * body: where it refuses this one the connection is closed without an answer
             * rather than reading on. */
            char msg[96];
            snprintf(msg, sizeof msg, "the request body is larger than %zu bytes", s->max_body);
            return send_error(c, r, 413, 0, msg);
        }
        return rc < 0 ? MHD_NO : MHD_YES;
    }
    mt_http_request req = {
        .method = method,
        .path = url,
        .body = r->body ? r->body : "",
        .body_len = r->len,
        .remote = r->remote,
        .conn = c,
    };
    remote_address(c, r->remote, sizeof r->remote);
    mt_http_response res = {0};
    s->handler(s->arg, &req, &res);
    return send_response(c, r, &res, 0);
}

const char *mt_http_header(const mt_http_request *r, const char *name)
{
    if (!r->conn) /* a request made inside the node (no connection) */
        return NULL;
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_HEADER_KIND, name);
}

const char *mt_http_query(const mt_http_request *r, const char *name)
{
    if (!r->conn)
        return NULL;
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_GET_ARGUMENT_KIND,
                                       name);
}

/* ---------------------------------------------------------------- daemon -------------- */

static void on_log(void *cls, const char *fmt, va_list ap)
{
    mt_http_server *s = cls;
    pthread_mutex_lock(&s->log_lock);
    size_t n = strlen(s->log);
    if (!s->started && n + 3 < sizeof s->log) {
        if (n) {
            memcpy(s->log + n, "; ", 3);
            n += 2;
        }
        vsnprintf(s->log + n, sizeof s->log - n, fmt, ap);
        n = strlen(s->log);
        while (n && (s->log[n - 1] == '\n' || s->log[n - 1] == ' ' || s->log[n - 1] == '.'))
            s->log[--n] = '\0';
    }
    pthread_mutex_unlock(&s->log_lock);
}

/* After a failed start: does binding the address fail, and why? libmicrohttpd's own message
 * names port 0 for an address given whole (MHD_OPTION_SOCK_ADDR), hence this second try. */
static int bind_fails(const sockaddr_any *addr, char *why, size_t n)
{
    int v6 = addr->sa.sa_family == AF_INET6;
    int fd = socket(addr->sa.sa_family, SOCK_STREAM, 0), on = 1, err = 0;
    if (fd < 0)
        return 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on); /* as libmicrohttpd does */
    if (bind(fd, &addr->sa, v6 ? sizeof addr->v6 : sizeof addr->v4))
        err = errno;
    close(fd);
    if (!err)
        return 0;
    snprintf(why, n, "%s%s", strerror(err),
             err == EADDRINUSE      ? " (another server listens there)"
             : err == EACCES        ? " (ports below 1024 need privileges)"
             : err == EADDRNOTAVAIL ? " (not an address of this machine)"
                                    : "");
    return 1;
}

static void server_free(mt_http_server *s)
{
    if (s->key)
        wipe(s->key, s->key_len);
    mt_free(NULL, s->key);
    mt_free(NULL, s->cert);
    pthread_mutex_destroy(&s->log_lock);
    mt_free(NULL, s);
}

mt_status mt_http_start(mt_ctx *ctx, const mt_http_options *o, mt_http_handler h, void *arg,
                        mt_http_server **out)
{
    *out = NULL;
    if (!o || !h)
        return mt_error(ctx, MT_EINVAL, "mt_http_start: no options or no handler");
    if (o->threads < 1 || o->threads > 1024)
        return mt_error(ctx, MT_EINVAL, "HTTP server: %d threads (1 to 1024)", o->threads);
    unsigned max_conn = o->max_connections ? o->max_connections : MT_HTTP_DEFAULT_MAX_CONN;
    if (max_conn < (unsigned)o->threads)
        return mt_error(ctx, MT_EINVAL,
                        "HTTP server: %u connections cannot be shared among %d threads", max_conn,
                        o->threads);
    size_t max_body = o->max_body ? o->max_body : MT_HTTP_DEFAULT_MAX_BODY;
    if (max_body > SIZE_MAX / 4)
        return mt_error(ctx, MT_EINVAL, "HTTP server: a body limit of %zu bytes", max_body);
    if (!o->tls_cert_pem != !o->tls_key_pem)
        return mt_error(ctx, MT_EINVAL,
                        "HTTPS needs both a certificate and a key file; only the %s was given",
                        o->tls_cert_pem ? "certificate" : "key");
    int tls = o->tls_cert_pem != NULL;
    sockaddr_any addr;
    unsigned flags;
    mt_status st = parse_listen(ctx, o->listen, &addr, &flags);
    if (st)
        return st;
    if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return mt_error(ctx, MT_EUNSUPPORTED,
                        "HTTPS asked for, but this libmicrohttpd was built without TLS (GnuTLS)");

    mt_http_server *s = mt_calloc(ctx, 1, sizeof *s);
    if (!s)
        return mt_error(ctx, MT_ENOMEM, "out of memory starting the HTTP server");
    if (pthread_mutex_init(&s->log_lock, NULL)) {
        mt_free(ctx, s);
        return mt_error(ctx, MT_ENOMEM, "cannot create a mutex for the HTTP server");
    }
    s->handler = h;
    s->arg = arg;
    s->max_body = max_body;
    struct MHD_OptionItem tls_opts[3] = {{MHD_OPTION_END, 0, NULL}};
    if (tls) {
        size_t cert_len;
        if ((st = read_pem(ctx, o->tls_cert_pem, "certificate", &s->cert, &cert_len)) ||
            (st = read_pem(ctx, o->tls_key_pem, "key", &s->key, &s->key_len))) {
            server_free(s);
            return st;
        }
        tls_opts[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert};
        tls_opts[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->key};
        tls_opts[2] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
        flags |= MHD_USE_TLS;
    }
    /* poll, not epoll: libmicrohttpd 0.9.75 accepts up to 10 connections per epoll wake-up,
     * so one worker could take a burst of clients and serve them in turn while the other
     * workers idle; with poll each wake-up accepts one, and a worker busy in a handler accepts
     * none. At <= 256 connections shared among the workers poll's cost is nothing. */
    flags |= MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    unsigned timeout = o->timeout_s ? o->timeout_s : MT_HTTP_DEFAULT_TIMEOUT;
    /* a pool of 1 is no pool: libmicrohttpd warns when given one */
    struct MHD_OptionItem pool_opts[2] = {{MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL}};
    if (o->threads > 1)
        pool_opts[0] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, o->threads, NULL};

    /* the logger first: libmicrohttpd prints the messages of options before it to stderr */
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_log, s,
        MHD_OPTION_SOCK_ADDR, &addr.sa, MHD_OPTION_ARRAY, pool_opts, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)timeout, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)max_conn,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, MT_HTTP_CONN_MEMORY, MHD_OPTION_URI_LOG_CALLBACK,
        on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_ARRAY, tls_opts,
        MHD_OPTION_END);
    pthread_mutex_lock(&s->log_lock);
    s->started = 1;
    pthread_mutex_unlock(&s->log_lock);
    if (!s->daemon) {
        char why[160];
        if (bind_fails(&addr, why, sizeof why))
            st = mt_error(ctx, MT_EIO, "cannot listen on %s: %s", o->listen, why);
        else
            st = mt_error(ctx, MT_EIO, "cannot start the HTTP server on %s: %s", o->listen,
                          s->log[0] ? s->log : "libmicrohttpd gave no reason");
        server_free(s);
        return st;
    }
    *out = s;
    return MT_OK;
}

unsigned mt_http_port(const mt_http_server *s)
{
    if (!s)
        return 0;
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return i ? i->port : 0;
}

void mt_http_stop(mt_http_server *s)
{
    if (!s)
        return;
    /* Closes the listening socket, wakes the workers and joins them: a handler running
     * finishes first; the connections left are closed (NOTIFY_COMPLETED frees them). */
    MHD_stop_daemon(s->daemon);
    server_free(s);
}

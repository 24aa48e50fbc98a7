/* SPDX-License-Identifier: Apache-2.0
 *
 * node/omex.c — COMBINE/OMEX archives: a guarded reader (uploads) and a writer (export), on
 * libzip over memory buffers and libxml2 for manifest.xml and metadata.rdf (node/omex.h).
 *
 * Why each guard:
 * - names: an archive entry is never written to disk here, but its name travels on (titles,
 *   manifests, other tools that unpack what the node exports), so a name that would escape a
 *   folder when unpacked ('..', absolute, backslash, drive letter) or carries control bytes is
 *   refused rather than cleaned. libzip gives names as C strings, so a NUL inside a name would
 *   be cut silently: the central directory is walked here once to see the raw bytes.
 * - sizes: the sizes an archive declares may lie, so every entry is read through zip_fread with
 *   a hard cap (entry, total, ratio to its compressed size); a declared size over the cap is
 *   refused before reading.
 * - XML: manifest.xml and metadata.rdf are parsed with XML_PARSE_NONET, without entity
 *   substitution or DTD loading, and a document with a DTD at all is refused.
 * Costs: memory up to the total limit (32 MiB by default) per request in flight.
 */
#define _POSIX_C_SOURCE 200809L
#include "node/omex.h"
#include "util/util.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define DEF_ENTRIES 256
#define DEF_ENTRY_BYTES ((size_t)8 << 20)
#define DEF_TOTAL_BYTES ((size_t)32 << 20)
#define DEF_RATIO 100
#define RATIO_FREE ((size_t)1 << 20) /* bytes an entry may reach whatever its ratio */
#define MAX_XML_META ((size_t)1 << 20)
#define MAX_TITLE 300
#define MAX_DESCRIPTION 10000

/* ---- names --------------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t k = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
               : s[0] >= 0xe0 && s[0] <= 0xef ? 3
               : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                              : 0;
    if (!k || k > n)
        return 0;
    for (size_t i = 1; i < k; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
        return 0;
    return k;
}

/* NULL when name (n raw bytes) is acceptable, else why not. */
static const char *name_problem(const unsigned char *name, size_t n)
{
    if (n == 0)
        return "an empty name";
    if (n > 1024)
        return "a name longer than 1024 bytes";
    for (size_t i = 0; i < n;) {
        if (name[i] == 0)
            return "a NUL byte in the name";
        if (name[i] < 0x20 || name[i] == 0x7f)
            return "a control character in the name";
        if (name[i] == '\\')
            return "a backslash in the name";
        size_t k = utf8_len(name + i, n - i);
        if (!k)
            return "a name that is not UTF-8";
        i += k;
    }
    if (name[0] == '/')
        return "an absolute path";
    if (n >= 2 && name[1] == ':')
        return "a drive letter";
    /* segments: none empty (but a trailing '/' marks a folder), none '.' or '..' */
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && name[i] != '/')
            continue;
        size_t len = i - start;
        if (len == 0 && i < n)
            return "an empty path segment ('//')";
        if (len == 1 && name[start] == '.')
            return "a '.' path segment";
        if (len == 2 && name[start] == '.' && name[start + 1] == '.')
            return "a '..' path segment (path traversal)";
        start = i + 1;
    }
    return NULL;
}

static uint32_t le16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const unsigned char *p) { return le16(p) | le16(p + 2) << 16; }
static uint64_t le64(const unsigned char *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/* Walks the central directory of buf to check every raw name (libzip's C strings would hide a
 * NUL). OUT: *count, the number of entries it lists. */
static mt_status check_raw_names(mt_ctx *ctx, const unsigned char *b, size_t n, uint64_t *count)
{
    if (n < 22)
        return mt_error(ctx, MT_EINVAL, "not a ZIP archive (%zu bytes)", n);
    size_t eocd = SIZE_MAX;
    for (size_t i = n - 22, stop = n - 22 > 65535 ? n - 22 - 65535 : 0;; i--) {
        if (le32(b + i) == 0x06054b50u) {
            eocd = i;
            break;
        }
        if (i == stop)
            break;
    }
    if (eocd == SIZE_MAX)
        return mt_error(ctx, MT_EINVAL, "not a ZIP archive (no end of central directory)");
    uint64_t total = le16(b + eocd + 10), off = le32(b + eocd + 16);
    if (total == 0xffff || off == 0xffffffffu) { /* ZIP64 */
        if (eocd < 20 || le32(b + eocd - 20) != 0x07064b50u)
            return mt_error(ctx, MT_EINVAL, "malformed ZIP64 archive (no locator)");
        uint64_t z = le64(b + eocd - 20 + 8);
        if (z > n || n - z < 56 || le32(b + z) != 0x06064b50u)
            return mt_error(ctx, MT_EINVAL, "malformed ZIP64 archive (end of directory)");
        total = le64(b + z + 32);
        off = le64(b + z + 48);
    }
    if (total > DEF_ENTRIES * 64)
        return mt_error(ctx, MT_ELIMIT, "the archive lists %llu entries",
                        (unsigned long long)total);
    uint64_t p = off;
    for (uint64_t i = 0; i < total; i++) {
        if (p > n || n - p < 46 || le32(b + p) != 0x02014b50u)
            return mt_error(ctx, MT_EINVAL, "malformed ZIP central directory (entry %llu)",
                            (unsigned long long)i + 1);
        size_t nl = le16(b + p + 28), el = le16(b + p + 30), cl = le16(b + p + 32);
        if (n - p - 46 < nl + el + cl)
            return mt_error(ctx, MT_EINVAL, "malformed ZIP central directory (entry %llu)",
                            (unsigned long long)i + 1);
        const char *why = name_problem(b + p + 46, nl);
        if (why) {
            char shown[80];
            size_t k = 0;
            for (size_t j = 0; j < nl && k + 5 < sizeof shown; j++) {
                unsigned char ch = b[p + 46 + j];
                k += (size_t)snprintf(shown + k, sizeof shown - k,
                                      ch < 0x20 || ch >= 0x7f || ch == '"' ? "\\x%02x" : "%c", ch);
            }
            shown[k] = 0;
            return mt_error(ctx, MT_EINVAL, "archive entry \"%s\": %s", shown, why);
        }
        p += 46 + nl + el + cl;
    }
    *count = total;
    return MT_OK;
}

/* ---- XML ------------------------------------------------------------------------------------ */

/* Parses an XML document of the archive safely. OUT: *out (xmlFreeDoc). MT_EINVAL, MT_ELIMIT
 * with the reason. */
static mt_status parse_xml(mt_ctx *ctx, const char *what, const unsigned char *p, size_t n,
                           xmlDocPtr *out)
{
    *out = NULL;
    mt_xml_init();
    if (n > MAX_XML_META)
        return mt_error(ctx, MT_ELIMIT, "%s: larger than %zu bytes", what, MAX_XML_META);
    if (memchr(p, 0, n))
        return mt_error(ctx, MT_EINVAL, "%s: holds a NUL byte (only UTF-8 XML is accepted)", what);
    /* a DTD could declare entities (billion laughs) or point outside: refused outright */
    for (size_t i = 0; i + 9 <= n; i++)
        if (p[i] == '<' && p[i + 1] == '!' && !memcmp(p + i + 2, "DOCTYPE", 7))
            return mt_error(ctx, MT_EINVAL, "%s: a DTD (<!DOCTYPE) is not accepted", what);
    xmlParserCtxtPtr pc = xmlNewParserCtxt();
    if (!pc)
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    xmlDocPtr d = xmlCtxtReadMemory(pc, (const char *)p, (int)n, NULL, NULL,
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!d) {
        const char *m = pc->lastError.message;
        mt_status st = mt_error(ctx, MT_EINVAL, "%s: not well-formed XML%s%.*s", what,
                                m ? ": " : "", m ? (int)strcspn(m, "\n") : 0, m ? m : "");
        xmlFreeParserCtxt(pc);
        return st;
    }
    xmlFreeParserCtxt(pc);
    if (d->intSubset || d->extSubset) {
        xmlFreeDoc(d);
        return mt_error(ctx, MT_EINVAL, "%s: a DTD is not accepted", what);
    }
    *out = d;
    return MT_OK;
}

static int is_elem(xmlNodePtr x, const char *local)
{
    return x && x->type == XML_ELEMENT_NODE && !strcmp((const char *)x->name, local);
}

static int in_dc(xmlNodePtr x)
{
    const char *ns = x->ns && x->ns->href ? (const char *)x->ns->href : "";
    return !strcmp(ns, "http://purl.org/dc/elements/1.1/") ||
           !strcmp(ns, "http://purl.org/dc/terms/");
}

/* The first Dublin Core element named local under x (depth first). */
static xmlNodePtr find_dc(xmlNodePtr x, const char *local)
{
    for (; x; x = x->next) {
        if (is_elem(x, local) && in_dc(x))
            return x;
        xmlNodePtr c = find_dc(x->children, local);
        if (c)
            return c;
    }
    return NULL;
}

static char *collapsed_text(xmlNodePtr x, size_t max);

/* Every Dublin Core creator under x, in document order, into o. */
static void collect_creators(xmlNodePtr x, mt_omex *o)
{
    for (; x && o->n_creators < MT_OMEX_MAX_CREATORS; x = x->next) {
        if (is_elem(x, "creator") && in_dc(x)) {
            char *t = collapsed_text(x, 200);
            if (t)
                o->creators[o->n_creators++] = t;
            continue;
        }
        collect_creators(x->children, o);
    }
}

/* The text of x with whitespace runs collapsed to one space, trimmed, at most max bytes (cut on
 * a UTF-8 boundary); NULL when empty. */
static char *collapsed_text(xmlNodePtr x, size_t max)
{
    xmlChar *t = x ? xmlNodeGetContent(x) : NULL;
    if (!t)
        return NULL;
    size_t n = strlen((const char *)t);
    char *out = malloc(n + 1);
    size_t k = 0;
    int space = 0;
    for (size_t i = 0; out && i < n; i++) {
        unsigned char ch = t[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch < 0x20) {
            space = k > 0;
            continue;
        }
        if (space)
            out[k++] = ' ';
        space = 0;
        out[k++] = (char)ch;
    }
    xmlFree(t);
    if (!out)
        return NULL;
    if (k > max) {
        k = max;
        while (k > 0 && ((unsigned char)out[k] & 0xc0) == 0x80)
            k--;
    }
    out[k] = 0;
    if (!k) {
        free(out);
        return NULL;
    }
    return out;
}

/* ---- reading ------------------------------------------------------------------------------- */

void mt_omex_free(mt_omex *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n_entries; i++) {
        free(o->entries[i].name);
        free(o->entries[i].data);
        free(o->entries[i].format);
    }
    free(o->entries);
    free(o->title);
    free(o->description);
    for (size_t i = 0; i < o->n_creators; i++)
        free(o->creators[i]);
    free(o->creators);
    free(o);
}

static mt_omex_entry *find_entry(mt_omex *o, const char *name)
{
    for (size_t i = 0; i < o->n_entries; i++)
        if (!strcmp(o->entries[i].name, name))
            return &o->entries[i];
    return NULL;
}

static int is_sbml_format(const char *f)
{
    return f && (!strncmp(f, MT_OMEX_FORMAT_SBML, strlen(MT_OMEX_FORMAT_SBML)) ||
                 !strcmp(f, "application/sbml+xml"));
}

static int looks_like_sbml(const mt_omex_entry *e)
{
    if (!e->data)
        return 0;
    size_t l = strlen(e->name);
    int ext =
        (l > 4 && !strcmp(e->name + l - 4, ".xml")) || (l > 5 && !strcmp(e->name + l - 5, ".sbml"));
    /* the root element within the first 4 KiB (after the XML declaration and comments) */
    size_t m = e->n < 4096 ? e->n : 4096;
    for (size_t i = 0; ext && i + 5 <= m; i++)
        if (!memcmp(e->data + i, "<sbml", 5))
            return 1;
    return 0;
}

/* A manifest location as an entry name: "./a/b.xml" and "a/b.xml" are the same; "." is the
 * archive. OUT: *external = 1 for a URL (not in the archive; never fetched). */
static const char *location_name(const char *loc, int *external)
{
    *external = strstr(loc, "://") != NULL;
    if (!strncmp(loc, "./", 2))
        loc += 2;
    return loc;
}

static mt_status read_manifest(mt_ctx *ctx, mt_omex *o, const mt_omex_entry *m)
{
    xmlDocPtr d;
    mt_status st = parse_xml(ctx, "manifest.xml", m->data, m->n, &d);
    if (st != MT_OK)
        return st;
    xmlNodePtr root = xmlDocGetRootElement(d);
    if (!is_elem(root, "omexManifest"))
        st = mt_error(ctx, MT_EINVAL,
                      "manifest.xml: the root element is <%s>, not a COMBINE <omexManifest>",
                      root ? (const char *)root->name : "");
    long master = -1, n_sbml = 0, only_sbml = -1, n_master = 0;
    for (xmlNodePtr x = root ? root->children : NULL; st == MT_OK && x; x = x->next) {
        if (!is_elem(x, "content"))
            continue;
        xmlChar *loc = xmlGetProp(x, (const xmlChar *)"location"),
                *fmt = xmlGetProp(x, (const xmlChar *)"format"),
                *mst = xmlGetProp(x, (const xmlChar *)"master");
        int ext = 0;
        const char *name = loc ? location_name((const char *)loc, &ext) : NULL;
        if (!loc || !fmt) {
            st = mt_error(ctx, MT_EINVAL,
                          "manifest.xml: a <content> without a location or a format");
        } else if (!ext && strcmp(name, ".") && strcmp(name, "")) {
            const char *why = name_problem((const unsigned char *)name, strlen(name));
            mt_omex_entry *e = why ? NULL : find_entry(o, name);
            if (why)
                st = mt_error(ctx, MT_EINVAL, "manifest.xml: location \"%.200s\": %s",
                              (const char *)loc, why);
            else if (!e || !e->data)
                st = mt_error(ctx, MT_EINVAL,
                              "manifest.xml names \"%.200s\", which is not in the archive",
                              (const char *)loc);
            else {
                free(e->format);
                e->format = strdup((const char *)fmt);
                long idx = (long)(e - o->entries);
                int is_master = mst && !strcmp((const char *)mst, "true");
                if (is_sbml_format((const char *)fmt)) {
                    n_sbml++;
                    only_sbml = idx;
                    if (is_master) {
                        master = idx;
                        n_master++;
                    }
                }
            }
        }
        xmlFree(loc);
        xmlFree(fmt);
        xmlFree(mst);
    }
    xmlFreeDoc(d);
    if (st != MT_OK)
        return st;
    if (n_master > 1)
        return mt_error(ctx, MT_EINVAL, "manifest.xml marks %ld SBML files as master", n_master);
    if (master < 0 && n_sbml == 1)
        master = only_sbml;
    if (master < 0 && n_sbml)
        return mt_error(ctx, MT_EINVAL,
                        "manifest.xml lists %ld SBML files and marks none as master", n_sbml);
    if (master < 0)
        return mt_error(ctx, MT_EINVAL,
                        "manifest.xml lists no SBML model (format " MT_OMEX_FORMAT_SBML "...)");
    o->master = (size_t)master;
    return MT_OK;
}

static void read_metadata(mt_omex *o)
{
    const mt_omex_entry *m = NULL;
    for (size_t i = 0; i < o->n_entries && !m; i++)
        if (o->entries[i].format &&
            !strncmp(o->entries[i].format, MT_OMEX_FORMAT_METADATA,
                     strlen(MT_OMEX_FORMAT_METADATA)) &&
            o->entries[i].data)
            m = &o->entries[i];
    if (!m)
        m = find_entry(o, "metadata.rdf");
    if (!m || !m->data)
        return;
    mt_ctx *quiet = NULL; /* the metadata is optional: a bad one is ignored, not refused */
    if (mt_ctx_create(&quiet) != MT_OK)
        return;
    xmlDocPtr d;
    mt_status st = parse_xml(quiet, "metadata.rdf", m->data, m->n, &d);
    mt_ctx_destroy(quiet);
    if (st != MT_OK)
        return;
    xmlNodePtr root = xmlDocGetRootElement(d);
    o->title = collapsed_text(find_dc(root, "title"), MAX_TITLE);
    o->description = collapsed_text(find_dc(root, "description"), MAX_DESCRIPTION);
    if ((o->creators = calloc(MT_OMEX_MAX_CREATORS, sizeof *o->creators)))
        collect_creators(root, o);
    xmlFreeDoc(d);
}

/* Reads entry i into e with the caps. */
static mt_status read_entry(mt_ctx *ctx, zip_t *za, zip_uint64_t i, const zip_stat_t *sb,
                            mt_omex_entry *e, const mt_omex_limits *lim, size_t *total)
{
    zip_file_t *f = zip_fopen_index(za, i, 0);
    if (!f)
        return mt_error(ctx, MT_EINVAL, "archive entry \"%s\": cannot be read (%s)", e->name,
                        zip_error_strerror(zip_get_error(za)));
    size_t cap = 64 << 10, n = 0;
    unsigned char *b = malloc(cap + 1);
    mt_status st = b ? MT_OK : mt_error(ctx, MT_ENOMEM, "out of memory");
    size_t comp = (sb->valid & ZIP_STAT_COMP_SIZE) ? (size_t)sb->comp_size : 0;
    while (st == MT_OK) {
        if (n == cap) {
            size_t ncap = cap * 2;
            unsigned char *nb = realloc(b, ncap + 1);
            if (!nb) {
                st = mt_error(ctx, MT_ENOMEM, "out of memory");
                break;
            }
            b = nb;
            cap = ncap;
        }
        zip_int64_t r = zip_fread(f, b + n, cap - n);
        if (r < 0) {
            st = mt_error(ctx, MT_EINVAL, "archive entry \"%s\" is corrupt (%s)", e->name,
                          zip_error_strerror(zip_file_get_error(f)));
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > lim->max_entry_bytes)
            st = mt_error(ctx, MT_ELIMIT,
                          "archive entry \"%s\" expands past %zu bytes (the limit per entry)",
                          e->name, lim->max_entry_bytes);
        else if (*total + n > lim->max_total_bytes)
            st = mt_error(ctx, MT_ELIMIT, "the archive expands past %zu bytes (the limit in all)",
                          lim->max_total_bytes);
        else if (n > RATIO_FREE && n / (comp ? comp : 1) >= lim->max_ratio)
            st = mt_error(ctx, MT_ELIMIT,
                          "archive entry \"%s\" expands more than %zu times (a ZIP bomb?)", e->name,
                          lim->max_ratio);
    }
    zip_fclose(f);
    if (st == MT_OK && (sb->valid & ZIP_STAT_SIZE) && sb->size != n)
        st = mt_error(ctx, MT_EINVAL,
                      "archive entry \"%s\" declares %llu bytes but holds %zu (a lying size)",
                      e->name, (unsigned long long)sb->size, n);
    if (st != MT_OK) {
        free(b);
        return st;
    }
    b[n] = 0;
    e->data = b;
    e->n = n;
    *total += n;
    return MT_OK;
}

mt_status mt_omex_read(mt_ctx *ctx, const void *buf, size_t n, const mt_omex_limits *lim_in,
                       mt_omex **out)
{
    *out = NULL;
    mt_omex_limits lim = {DEF_ENTRIES, DEF_ENTRY_BYTES, DEF_TOTAL_BYTES, DEF_RATIO};
    if (lim_in) {
        if (lim_in->max_entries)
            lim.max_entries = lim_in->max_entries;
        if (lim_in->max_entry_bytes)
            lim.max_entry_bytes = lim_in->max_entry_bytes;
        if (lim_in->max_total_bytes)
            lim.max_total_bytes = lim_in->max_total_bytes;
        if (lim_in->max_ratio)
            lim.max_ratio = lim_in->max_ratio;
    }
    if (!buf || n == 0)
        return mt_error(ctx, MT_EINVAL, "the archive is empty");
    uint64_t listed = 0;
    mt_status st = check_raw_names(ctx, buf, n, &listed);
    if (st != MT_OK)
        return st;
    if (listed > lim.max_entries)
        return mt_error(ctx, MT_ELIMIT, "the archive has %llu entries (at most %zu)",
                        (unsigned long long)listed, lim.max_entries);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(buf, n, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
    if (!za) {
        st = mt_error(ctx, MT_EINVAL, "not a readable ZIP archive (%s)", zip_error_strerror(&ze));
        zip_error_fini(&ze);
        if (src)
            zip_source_free(src);
        return st;
    }
    zip_error_fini(&ze);
    mt_omex *o = calloc(1, sizeof *o);
    zip_int64_t ne = zip_get_num_entries(za, 0);
    if (!o || ne < 0)
        st = mt_error(ctx, o ? MT_EINVAL : MT_ENOMEM,
                      o ? "unreadable ZIP archive" : "out of memory");
    else if ((uint64_t)ne != listed || (size_t)ne > lim.max_entries)
        st = mt_error(ctx, MT_EINVAL,
                      "the archive's directory is inconsistent (%lld entries, %llu listed)",
                      (long long)ne, (unsigned long long)listed);
    else if (ne && !(o->entries = calloc((size_t)ne, sizeof *o->entries)))
        st = mt_error(ctx, MT_ENOMEM, "out of memory");
    size_t total = 0;
    for (zip_int64_t i = 0; st == MT_OK && i < ne; i++) {
        zip_stat_t sb;
        zip_uint8_t opsys = 0;
        zip_uint32_t attr = 0;
        const char *name = zip_get_name(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
        if (!name || zip_stat_index(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW, &sb) != 0 ||
            zip_file_get_external_attributes(za, (zip_uint64_t)i, 0, &opsys, &attr) != 0) {
            st = mt_error(ctx, MT_EINVAL, "archive entry %lld cannot be read", (long long)i + 1);
            break;
        }
        const char *why = name_problem((const unsigned char *)name, strlen(name));
        if (why) {
            st = mt_error(ctx, MT_EINVAL, "archive entry \"%.200s\": %s", name, why);
            break;
        }
        if (find_entry(o, name)) {
            st = mt_error(ctx, MT_EINVAL, "archive entry \"%.200s\" appears twice", name);
            break;
        }
        mt_omex_entry *e = &o->entries[o->n_entries];
        if (!(e->name = strdup(name))) {
            st = mt_error(ctx, MT_ENOMEM, "out of memory");
            break;
        }
        o->n_entries++;
        unsigned mode = (attr >> 16) & 0170000u;
        if (opsys == ZIP_OPSYS_UNIX && mode == 0120000u)
            st = mt_error(ctx, MT_EINVAL, "archive entry \"%.200s\" is a symbolic link", name);
        else if (opsys == ZIP_OPSYS_UNIX && mode && mode != 0100000u && mode != 0040000u)
            st = mt_error(ctx, MT_EINVAL,
                          "archive entry \"%.200s\" is not a regular file or a folder", name);
        else if ((sb.valid & ZIP_STAT_ENCRYPTION_METHOD) && sb.encryption_method != ZIP_EM_NONE)
            st = mt_error(ctx, MT_EINVAL, "archive entry \"%.200s\" is encrypted", name);
        else if ((sb.valid & ZIP_STAT_COMP_METHOD) && sb.comp_method != ZIP_CM_STORE &&
                 sb.comp_method != ZIP_CM_DEFLATE)
            st = mt_error(ctx, MT_EINVAL,
                          "archive entry \"%.200s\": compression method %d (only stored and "
                          "deflate are accepted)",
                          name, (int)sb.comp_method);
        else if ((sb.valid & ZIP_STAT_SIZE) && sb.size > lim.max_entry_bytes)
            st = mt_error(ctx, MT_ELIMIT,
                          "archive entry \"%.200s\" declares %llu bytes (at most %zu)", name,
                          (unsigned long long)sb.size, lim.max_entry_bytes);
        else if (name[strlen(name) - 1] != '/')
            st = read_entry(ctx, za, (zip_uint64_t)i, &sb, e, &lim, &total);
    }
    zip_discard(za); /* frees src too */
    mt_omex_entry *m = st == MT_OK ? find_entry(o, "manifest.xml") : NULL;
    if (m && m->data) {
        o->has_manifest = 1;
        st = read_manifest(ctx, o, m);
    } else if (st == MT_OK) {
        long only = -1, count = 0;
        for (size_t i = 0; i < o->n_entries; i++)
            if (looks_like_sbml(&o->entries[i])) {
                only = (long)i;
                count++;
            }
        if (count > 1)
            st = mt_error(ctx, MT_EINVAL,
                          "no manifest.xml and %ld SBML files: which one is the model?", count);
        else if (!count)
            st = mt_error(ctx, MT_EINVAL,
                          "no manifest.xml and no SBML file (*.xml with an <sbml> root)");
        else
            o->master = (size_t)only;
    }
    if (st == MT_OK)
        read_metadata(o);
    if (st != MT_OK) {
        mt_omex_free(o);
        return st;
    }
    *out = o;
    return MT_OK;
}

/* ---- writing ------------------------------------------------------------------------------- */

void mt_omex_sbml_format(const char *xml, size_t n, char out[96])
{
    snprintf(out, 96, "%s", MT_OMEX_FORMAT_SBML);
    const char *p = NULL;
    for (size_t i = 0; i + 6 <= n && i < 65536; i++)
        if (!memcmp(xml + i, "<sbml", 5) &&
            (xml[i + 5] == ' ' || xml[i + 5] == '\n' || xml[i + 5] == '\t' || xml[i + 5] == '\r')) {
            p = xml + i;
            break;
        }
    if (!p)
        return;
    const char *end = memchr(p, '>', n - (size_t)(p - xml));
    if (!end)
        return;
    int level = 0, version = 0;
    for (const char *q = p; q + 9 < end; q++) {
        if ((q[-1] == ' ' || q[-1] == '\n' || q[-1] == '\t' || q[-1] == '\r') &&
            (!strncmp(q, "level=\"", 7) || !strncmp(q, "level='", 7)) && q[7] >= '1' && q[7] <= '9')
            level = q[7] - '0';
        if ((q[-1] == ' ' || q[-1] == '\n' || q[-1] == '\t' || q[-1] == '\r') &&
            (!strncmp(q, "version=\"", 9) || !strncmp(q, "version='", 9)) && q + 9 < end &&
            q[9] >= '1' && q[9] <= '9')
            version = q[9] - '0';
    }
    if (level && version)
        snprintf(out, 96, "%s.level-%d.version-%d", MT_OMEX_FORMAT_SBML, level, version);
}

typedef struct {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void puts_(sbuf *b, const char *s) { put(b, s, strlen(s)); }

/* s escaped for XML text and attributes (control characters dropped). */
static void put_esc(sbuf *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '&')
            puts_(b, "&amp;");
        else if (ch == '<')
            puts_(b, "&lt;");
        else if (ch == '>')
            puts_(b, "&gt;");
        else if (ch == '"')
            puts_(b, "&quot;");
        else if (ch == '\'')
            puts_(b, "&apos;");
        else if (ch >= 0x20 || ch == '\n' || ch == '\t')
            put(b, s, 1);
    }
}

static void put_content(sbuf *b, const char *loc, const char *fmt, int master)
{
    puts_(b, "  <content location=\"");
    put_esc(b, loc);
    puts_(b, "\" format=\"");
    put_esc(b, fmt);
    puts_(b, master ? "\" master=\"true\"/>\n" : "\"/>\n");
}

static void put_dc(sbuf *b, const char *tag, const char *text)
{
    if (!text || !*text)
        return;
    puts_(b, "    <");
    puts_(b, tag);
    puts_(b, ">");
    put_esc(b, text);
    puts_(b, "</");
    puts_(b, tag);
    puts_(b, ">\n");
}

mt_status mt_omex_write(mt_ctx *ctx, const mt_omex_export *x, unsigned char **out, size_t *out_n)
{
    *out = NULL;
    *out_n = 0;
    for (size_t i = 0; i < x->n_files; i++) {
        const char *nm = x->files[i].name;
        const char *why = nm ? name_problem((const unsigned char *)nm, strlen(nm)) : "no name";
        if (why || !strcmp(nm, "manifest.xml") || !strcmp(nm, "metadata.rdf"))
            return mt_error(ctx, MT_EINVAL, "OMEX export: file name \"%s\": %s", nm ? nm : "",
                            why ? why : "reserved");
    }
    sbuf man = {0}, rdf = {0};
    puts_(&man, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<omexManifest "
                "xmlns=\"http://identifiers.org/combine.specifications/omex-manifest\">\n");
    put_content(&man, ".", MT_OMEX_FORMAT_OMEX, 0);
    put_content(&man, "./manifest.xml", MT_OMEX_FORMAT_MANIFEST, 0);
    put_content(&man, "./metadata.rdf", MT_OMEX_FORMAT_METADATA, 0);
    for (size_t i = 0; i < x->n_files; i++) {
        char loc[1100];
        snprintf(loc, sizeof loc, "./%s", x->files[i].name);
        put_content(&man, loc, x->files[i].format, x->files[i].master);
    }
    puts_(&man, "</omexManifest>\n");
    puts_(&rdf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"\n"
                "         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
                "         xmlns:dcterms=\"http://purl.org/dc/terms/\">\n"
                "  <rdf:Description rdf:about=\".\">\n");
    put_dc(&rdf, "dc:title", x->title);
    put_dc(&rdf, "dc:description", x->description);
    for (size_t i = 0; i < x->n_creators; i++)
        put_dc(&rdf, "dc:creator", x->creators[i]);
    put_dc(&rdf, "dc:publisher", x->publisher);
    put_dc(&rdf, "dc:identifier", x->identifier);
    put_dc(&rdf, "dcterms:created", x->created);
    put_dc(&rdf, "dcterms:modified", x->modified);
    puts_(&rdf, "  </rdf:Description>\n</rdf:RDF>\n");
    if (man.oom || rdf.oom) {
        free(man.p);
        free(rdf.p);
        return mt_error(ctx, MT_ENOMEM, "out of memory");
    }
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    mt_status st = MT_OK;
    if (!za) {
        st = mt_error(ctx, MT_ENOMEM, "OMEX export: %s", zip_error_strerror(&ze));
        if (src)
            zip_source_free(src);
        src = NULL;
    } else {
        zip_source_keep(src);
    }
    zip_error_fini(&ze);
    const char *names[2] = {"manifest.xml", "metadata.rdf"};
    const sbuf *texts[2] = {&man, &rdf};
    for (size_t i = 0; za && st == MT_OK && i < 2 + x->n_files; i++) {
        const char *nm = i < 2 ? names[i] : x->files[i - 2].name;
        const void *d = i < 2 ? texts[i]->p : x->files[i - 2].data;
        size_t dn = i < 2 ? texts[i]->n : x->files[i - 2].n;
        zip_source_t *fs = zip_source_buffer(za, d, dn, 0);
        zip_int64_t idx = fs ? zip_file_add(za, nm, fs, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            if (fs)
                zip_source_free(fs);
            st = mt_error(ctx, MT_ENOMEM, "OMEX export: %s", zip_strerror(za));
        } else {
            zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9);
            zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
                                             (zip_uint32_t)0100644u << 16);
        }
    }
    if (za && st == MT_OK && zip_close(za) != 0) {
        st = mt_error(ctx, MT_ENOMEM, "OMEX export: %s", zip_strerror(za));
        zip_discard(za);
    } else if (za && st != MT_OK) {
        zip_discard(za);
    }
    unsigned char *b = NULL;
    zip_int64_t size = 0;
    if (st == MT_OK && zip_source_open(src) == 0) {
        if (zip_source_seek(src, 0, SEEK_END) == 0 && (size = zip_source_tell(src)) > 0 &&
            zip_source_seek(src, 0, SEEK_SET) == 0 && (b = malloc((size_t)size)) &&
            zip_source_read(src, b, (zip_uint64_t)size) != size) {
            free(b);
            b = NULL;
        }
        zip_source_close(src);
    }
    if (st == MT_OK && !b)
        st = mt_error(ctx, MT_ENOMEM, "OMEX export: the archive could not be assembled");
    if (src)
        zip_source_free(src);
    free(man.p);
    free(rdf.p);
    if (st != MT_OK) {
        free(b);
        return st;
    }
    *out = b;
    *out_n = (size_t)size;
    return MT_OK;
}

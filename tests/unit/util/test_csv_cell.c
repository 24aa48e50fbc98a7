/* SPDX-License-Identifier: Apache-2.0
 *
 * tests/unit/util/test_csv_cell.c — mt_csv_put_cell: plain cells as they are, cells with a
 * comma, a quote or a line break quoted with inner quotes doubled, and what it writes parses
 * back to the same text with mt_csv_parse.
 */
#include "harness.h"
#include "medtwin/csv.h"

#include <stdio.h>
#include <string.h>

static void put(const char *s, char *out, size_t n)
{
    FILE *f = tmpfile();
    if (!f) {
        out[0] = '\0';
        return;
    }
    mt_csv_put_cell(f, s);
    rewind(f);
    size_t k = fread(out, 1, n - 1, f);
    out[k] = '\0';
    fclose(f);
}

TEST(cells)
{
    char b[256];
    put("plain", b, sizeof b);
    ASSERT_STR_EQ(b, "plain");
    put(NULL, b, sizeof b);
    ASSERT_STR_EQ(b, "");
    put("a,b", b, sizeof b);
    ASSERT_STR_EQ(b, "\"a,b\"");
    put("say \"hi\"", b, sizeof b);
    ASSERT_STR_EQ(b, "\"say \"\"hi\"\"\"");
    put("two\nlines", b, sizeof b);
    ASSERT_STR_EQ(b, "\"two\nlines\"");
}

TEST(round_trip)
{
    const char *cells[] = {"x", "a,b", "q\"q", "l1\r\nl2", ""};
    char text[512] = "h1,h2,h3,h4,h5\n";
    FILE *f = tmpfile();
    ASSERT_TRUE(f != NULL);
    for (size_t i = 0; i < 5; i++) {
        if (i)
            fputc(',', f);
        mt_csv_put_cell(f, cells[i]);
    }
    fputc('\n', f);
    rewind(f);
    size_t len = strlen(text);
    len += fread(text + len, 1, sizeof text - len - 1, f);
    text[len] = '\0';
    fclose(f);
    mt_ctx *ctx = NULL;
    ASSERT_EQ_INT(mt_ctx_create(&ctx), MT_OK);
    mt_csv *t = NULL;
    ASSERT_EQ_INT(mt_csv_parse(ctx, text, len, "mem", &t), MT_OK);
    ASSERT_EQ_INT((long long)mt_csv_n_rows(t), 1);
    for (size_t i = 0; i < 5; i++)
        ASSERT_STR_EQ(mt_csv_cell(t, 0, i), cells[i]);
    mt_csv_destroy(t);
    mt_ctx_destroy(ctx);
}

TEST_MAIN(TEST_ENTRY(cells), TEST_ENTRY(round_trip))

/* fault.c - see fault.h. */
#include "fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static const char *const names[FLT_NKINDS] = {
	"gap", "dup", "reorder", "malformed", "truncate", "truncate_wire",
	"disconnect", "stall", "unstall", "rest_5xx", "rest_429", "rest_418",
	"rest_slow", "okx_seq_reset", "okx_no_snapshot", "okx_snapshot",
	"shutdown_notice", "rollover", "corrupt_level", "clear",
};

const char *
flt_name(int kind)
{
	return kind >= 0 && kind < FLT_NKINDS ? names[kind] : "?";
}

int
flt_kind_parse(const char *s)
{
	for (int i = 0; i < FLT_NKINDS; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	if (strcmp(s, "resume_stall") == 0 || strcmp(s, "resume-stall") == 0)
		return FLT_UNSTALL;
	return -1;
}

static int
parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
flt_parse_item(const char *item, struct flt_spec *out, char *err, size_t errlen)
{
	char buf[256], *save = NULL, *tok, *at;
	long v;

	memset(out, 0, sizeof *out);
	if (strlen(item) >= sizeof buf) {
		snprintf(err, errlen, "fault item too long");
		return -1;
	}
	strcpy(buf, item);
	at = strchr(buf, '@');
	if (at == NULL) {
		snprintf(err, errlen, "fault '%s': expected KIND@VENUE", item);
		return -1;
	}
	*at = 0;
	out->kind = flt_kind_parse(buf);
	if (out->kind < 0) {
		snprintf(err, errlen, "fault '%s': unknown kind '%s'", item, buf);
		return -1;
	}
	tok = strtok_r(at + 1, ":", &save);
	out->venue = tok ? sim_venue_parse(tok) : -1;
	if (out->venue < 0) {
		snprintf(err, errlen, "fault '%s': venue must be binance or okx", item);
		return -1;
	}
	while ((tok = strtok_r(NULL, ":", &save)) != NULL) {
		if (strncmp(tok, "after=", 6) == 0) {
			char *end;
			double d = strtod(tok + 6, &end);
			if (end == tok + 6 || d < 0) {
				snprintf(err, errlen, "fault '%s': bad after=", item);
				return -1;
			}
			if (strcmp(end, "ms") == 0)
				out->after_ms = (int64_t)d;
			else if (strcmp(end, "s") == 0 || *end == 0)
				out->after_ms = (int64_t)(d * 1000);
			else {
				snprintf(err, errlen, "fault '%s': after= takes ms or s", item);
				return -1;
			}
		} else if (strncmp(tok, "n=", 2) == 0) {
			if (parse_int(tok + 2, 1, 1000000, &v) < 0) {
				snprintf(err, errlen, "fault '%s': n= must be 1..1000000", item);
				return -1;
			}
			out->n = (int)v;
		} else if (strncmp(tok, "ms=", 3) == 0) {
			if (parse_int(tok + 3, 0, 86400000, &v) < 0) {
				snprintf(err, errlen, "fault '%s': ms= must be 0..86400000", item);
				return -1;
			}
			out->ms = (int)v;
		} else if (strncmp(tok, "code=", 5) == 0) {
			if (parse_int(tok + 5, 500, 599, &v) < 0) {
				snprintf(err, errlen, "fault '%s': code= must be 500..599", item);
				return -1;
			}
			out->code = (int)v;
		} else if (strchr(tok, '=') == NULL && strlen(tok) < sizeof out->symbol) {
			if (sim_find_inst(out->venue, tok) < 0) {
				snprintf(err, errlen, "fault '%s': unknown symbol '%s'", item, tok);
				return -1;
			}
			strcpy(out->symbol, tok);
		} else {
			snprintf(err, errlen, "fault '%s': unknown option '%s'", item, tok);
			return -1;
		}
	}
	return 0;
}

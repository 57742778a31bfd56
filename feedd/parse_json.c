/* parse_json.c - small jansson helpers for the slow path (parse_binance.c, parse_okx.c). */
#include "parse_impl.h"

#include <jansson.h>

struct json_t *
pj_load(struct parse_ctx *p, const char *buf, size_t len)
{
	json_error_t je;
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);

	if (!j)
		parse_fail(p, "invalid JSON at byte %d: %s", je.position, je.text);
	return j;
}

int
pj_str(struct parse_ctx *p, json_t *obj, const char *key, const char **s, size_t *len)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return parse_fail(p, "\"%s\" missing", key);
	if (!json_is_string(v))
		return parse_fail(p, "\"%s\": expected a string", key);
	*s = json_string_value(v);
	*len = json_string_length(v);
	return 0;
}

int
pj_int(struct parse_ctx *p, json_t *obj, const char *key, int64_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return parse_fail(p, "\"%s\" missing", key);
	if (!json_is_integer(v))
		return parse_fail(p, "\"%s\": expected an integer", key);
	*out = (int64_t)json_integer_value(v);
	return 0;
}

int
pj_bool(struct parse_ctx *p, json_t *obj, const char *key, int *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return parse_fail(p, "\"%s\" missing", key);
	if (!json_is_boolean(v))
		return parse_fail(p, "\"%s\": expected true or false", key);
	*out = json_is_true(v);
	return 0;
}

int
pj_px(struct parse_ctx *p, const struct inst *in, json_t *obj, const char *key, int64_t *out)
{
	const char *s;
	size_t len;

	if (pj_str(p, obj, key, &s, &len) < 0)
		return -1;
	return parse_px(p, in, s, len, key, out);
}

int
pj_qty(struct parse_ctx *p, const struct inst *in, json_t *obj, const char *key, int64_t *out)
{
	const char *s;
	size_t len;

	if (pj_str(p, obj, key, &s, &len) < 0)
		return -1;
	return parse_qty(p, in, s, len, key, out);
}

int
pj_levels(struct parse_ctx *p, json_t *arr, enum parse_side side, const char *what)
{
	size_t i;
	json_t *lv;

	if (!arr)
		return parse_fail(p, "\"%s\" missing", what);
	if (!json_is_array(arr))
		return parse_fail(p, "\"%s\": expected an array of levels", what);
	json_array_foreach(arr, i, lv) {
		json_t *px = json_array_get(lv, 0), *qty = json_array_get(lv, 1);
		if (!json_is_array(lv) || !json_is_string(px) || !json_is_string(qty))
			return parse_fail(p, "\"%s\"[%zu]: expected [\"price\", \"size\", ...]", what, i);
		if (parse_level(p, side, json_string_value(px), json_string_length(px),
		    json_string_value(qty), json_string_length(qty)) < 0)
			return -1;
	}
	return 0;
}

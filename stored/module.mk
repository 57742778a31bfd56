# stored/: the local store (writer, reader library), the stored daemon and
# its ClickHouse sink.
#
# STORE_READ_SRCS is the reader library every tool links (mpstore, mpexport):
#   $(eval $(call prog,mpexport,tools/mpexport/main.c $(STORE_READ_SRCS),libzstd ...))
STORE_READ_SRCS := stored/store_fmt.c stored/store_seg.c stored/store_codec.c stored/store_ac.c stored/store_acm.c stored/store_pred.c stored/store_read.c stored/store_check.c \
    stored/store_manifest.c
STORE_WRITE_SRCS := $(STORE_READ_SRCS) stored/store_write.c
STORED_CH_SRCS := stored/ch_sink.c stored/ch_schema.c stored/ch_rowbin.c stored/ch_http.c

$(eval $(call prog,stored,stored/main.c $(STORE_WRITE_SRCS) $(STORED_CH_SRCS),libzstd libcurl zlib inih))

#!/usr/bin/env bash
# ws_proto.sh - WebSocket protocol and fault tests of mpsim (see proto.js).
. "$(dirname "$0")/../lib.sh"
command -v node >/dev/null || { skip mpsim_ws_proto "node is not installed"; exit 0; }
node "$(dirname "$0")/proto.js"

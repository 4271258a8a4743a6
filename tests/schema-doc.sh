#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# docs/xenstore-keys.md is generated from xenstore-schema/schema.json; fail when they drift.
set -eu
gen="$XMEM_BUILDDIR/xenstore-schema/schema-gen"
want=$("$gen" --markdown "$XMEM_SRCDIR/xenstore-schema/schema.json")
if [ "$want" != "$(cat "$XMEM_SRCDIR/docs/xenstore-keys.md")" ]; then
	echo "docs/xenstore-keys.md is stale: regenerate it with" >&2
	echo "  build/xenstore-schema/schema-gen --markdown xenstore-schema/schema.json > docs/xenstore-keys.md" >&2
	exit 1
fi
echo "schema-doc: docs/xenstore-keys.md matches the schema"

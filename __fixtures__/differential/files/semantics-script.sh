#!/bin/sh
# Used by semantics-modules.yml: prints its arguments and its directory.
echo "args:$*"
echo "pwd:$(pwd)"

# `sam build` (the template's BuildMethod: makefile) runs
# `make build-<LogicalId>` with ARTIFACTS_DIR set: each function is built
# alone, as scripts/build-lambdas builds it, so Cargo unifies the shared
# crate's features over that one package and its zip carries only its own
# adapters (never the dev server's). A function `SignUpFunction` is the
# package `sign-up` (tests/surface.rs holds every name to that rule).
build-%Function:
	scripts/build-lambdas --package "$$(echo '$*' | sed -E 's/([a-z0-9])([A-Z])/\1-\2/g' | tr 'A-Z' 'a-z')" --into "$(ARTIFACTS_DIR)"

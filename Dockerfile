# apimguard's container image: the static (musl) binary, whose built-in rule pack is
# embedded, on a distroless base that holds CA certificates (for `collect`) and a
# non-root user, and nothing else (no shell).
#
#   docker build -t apimguard .
#   docker run --rm -v "$PWD:/work" apimguard check --from-apiops apim-artifacts
#
# Checked with hadolint (CI runs it); docs/ci.md says how the image was checked.

FROM rust:1.95-alpine AS build
# The C parts of ring and mimalloc need a C compiler and musl's headers; Alpine's
# package versions move with the base image, which pins them.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY benches ./benches
COPY src ./src
COPY policies ./policies
RUN cargo build --profile dist --locked --bin apimguard \
    && ./target/dist/apimguard --version

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/target/dist/apimguard /usr/local/bin/apimguard
# 65532 is distroless's `nonroot` user.
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/apimguard"]
CMD ["--help"]

# Multi-stage build: a static binary on a minimal base, running as a non-root user.
# docker build --build-arg VERSION=$(git describe --tags --always) -t cantieri .   (make docker)
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/cantieri ./cmd/cantieri

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cantieri /usr/local/bin/cantieri
# distroless has no shell: the time zone database comes from Go's embedded copy (tzdata is
# imported by the binary), and CA certificates are in the base image.
USER nonroot:nonroot
# 8080: the Slack endpoints (HTTP_ADDR, with SLACK_SIGNING_SECRET). /healthz, /readyz and /metrics
# are on METRICS_ADDR, 127.0.0.1:9090 unless set (compose sets :9090 to publish it on the host's
# loopback).
EXPOSE 8080
# The image has no shell: the binary checks itself, on METRICS_ADDR's /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/usr/local/bin/cantieri", "health"]
ENTRYPOINT ["/usr/local/bin/cantieri"]
CMD ["serve"]

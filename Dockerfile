# Multi-stage build: a static binary on a minimal base, running as a non-root user.
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
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/cantieri"]
CMD ["serve"]

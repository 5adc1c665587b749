# Production image of the muamalat server. Build: docker build -t muamalat .
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN scripts/build-ui.sh && cargo build --release -p muamalat-api --bin muamalat

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/muamalat --create-home muamalat \
    && install -d -o muamalat /var/lib/muamalat/data
COPY --from=build /src/target/release/muamalat /usr/local/bin/muamalat
COPY --from=build /src/web-ui/dist /usr/share/muamalat/web
USER muamalat
WORKDIR /var/lib/muamalat
ENV MUAMALAT_BIND=0.0.0.0:8080 MUAMALAT_DATA_DIR=/var/lib/muamalat/data MUAMALAT_LOG_FORMAT=json \
    MUAMALAT_SPA_DIR=/usr/share/muamalat/web
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/muamalat"]
CMD ["serve"]

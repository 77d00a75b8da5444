# Rose Console image: Debian 13 (trixie) with the real PostgreSQL 17 parser (libpg_query 17), the
# PostgreSQL 17 server (the embedded default cluster, used when no control connection is configured),
# its client tools (pg_dump snapshots), hypopg, and the ASP.NET Core 10 runtime; the app is
# framework-dependent net10.0 and runs as the unprivileged user rose.
#
#   docker build -t rose-console .
#   docker run -p 127.0.0.1:8080:8080 -e Rose__Agents__rose__ApiKey=... rose-console        (embedded default)
#   docker run -p 127.0.0.1:8080:8080 -e Rose__ControlConnection="Host=db;Database=rose;Username=rose;Password=..." rose-console
#
# The base images are build arguments. Defaults are the public ones; scripts/docker-smoke.sh builds on a
# machine with no registry by passing local stand-ins (docker/local-bases/build.sh) and, with
# --target prebuilt, the output of a `dotnet publish` run on the host instead of the SDK stage.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG ASPNET_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
ARG RUNTIME_IMAGE=debian:trixie-slim

# The .NET host and the Microsoft.NETCore.App + Microsoft.AspNetCore.App runtimes, from /usr/share/dotnet.
FROM ${ASPNET_IMAGE} AS aspnet

FROM ${RUNTIME_IMAGE} AS runtime
# No default "main" cluster from the package scripts: Rose makes its own under Rose:DataDir.
# The generic name libpg_query.so points at the 17 library so every loader name finds the same parser.
RUN mkdir -p /etc/postgresql-common \
    && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
         libpg-query1706.0 postgresql-17 postgresql-client-17 postgresql-17-hypopg acl \
         ca-certificates tzdata libicu76 libssl3t64 libstdc++6 libgcc-s1 zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && ln -s libpg_query.so.1706.0 /usr/lib/x86_64-linux-gnu/libpg_query.so \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin rose
COPY --from=aspnet /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_ROOT=/usr/share/dotnet \
    ROSE_LIBPG_QUERY=/usr/lib/x86_64-linux-gnu/libpg_query.so.1706.0 \
    ASPNETCORE_URLS=http://0.0.0.0:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    Rose__DataDir=/home/rose/.local/share/rose
WORKDIR /app
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/app/Rose.Console"]

# The app from a host publish (scripts/docker-smoke.sh): out/docker/console and out/docker/cli.
FROM runtime AS prebuilt
COPY out/docker/console/ /app/
COPY out/docker/cli/ /app/cli/
RUN ln -s /app/cli/rose /usr/local/bin/rose
USER rose

# The app built in the SDK image (the default).
FROM ${SDK_IMAGE} AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props global.json Rose.Console.sln .editorconfig ./
COPY src/ src/
COPY wwwroot-assets/ wwwroot-assets/
COPY appsettings.Development.json ./
RUN dotnet publish src/Rose.Console/Rose.Console.csproj -c Release -o /app \
    && dotnet publish src/Rose.Cli/Rose.Cli.csproj -c Release -o /app/cli

FROM runtime AS final
COPY --from=build /app /app
RUN ln -s /app/cli/rose /usr/local/bin/rose
USER rose

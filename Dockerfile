# Rose Console image: build with the .NET SDK, run on Debian with the real PostgreSQL parser
# (libpg-query) and the PostgreSQL client tools (pg_dump for migration snapshots).
# The app is self-contained net9.0 (see README, "Why net9.0"), so the runtime image needs no .NET.
#
#   docker build -t rose-console .
#   docker run -p 8080:8080 -e Rose__ControlConnection="Host=db;Database=rose;Username=rose;Password=..." rose-console

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props global.json Rose.Console.sln .editorconfig ./
COPY src/ src/
COPY wwwroot-assets/ wwwroot-assets/
COPY appsettings.Development.json ./
RUN dotnet publish src/Rose.Console/Rose.Console.csproj -c Release -o /app \
    && dotnet publish src/Rose.Cli/Rose.Cli.csproj -c Release -o /app/cli

FROM debian:12-slim AS runtime
# libpg-query: the parser Rose classifies with. postgresql-15 + client: the embedded default
# cluster (used only when no control connection is configured) and pg_dump snapshots.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpg-query1504.0 postgresql-15 postgresql-client-15 acl ca-certificates libicu72 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 rose
WORKDIR /app
COPY --from=build /app ./
RUN ln -s /app/cli/rose /usr/local/bin/rose
USER rose
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    Rose__DataDir=/home/rose/.local/share/rose
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '200' <&3"]
ENTRYPOINT ["./Rose.Console"]

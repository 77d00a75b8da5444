#!/usr/bin/env bash
# Stand-ins for the Dockerfile's public base images, made on a machine where no container registry
# answers (scripts/docker-smoke.sh uses them):
#   rose-local/debian:trixie      for debian:trixie-slim: a minimal Debian 13 root file system from the
#                                 machine's Debian mirror (debootstrap --variant=minbase, docker import)
#   rose-local/dotnet-aspnet:10.0 for mcr.microsoft.com/dotnet/aspnet:10.0: this machine's own .NET
#                                 installation (the dotnet host and the Microsoft.NETCore.App and
#                                 Microsoft.AspNetCore.App 10 runtimes, as Microsoft ships them) under
#                                 /usr/share/dotnet, the path the aspnet image uses
# The Dockerfile copies /usr/share/dotnet out of the second and installs the rest from Debian on the
# first, so the image is built exactly as it is with the public bases. Reuses images that exist.
set -euo pipefail
say() { printf '[rose] %s\n' "$*" >&2; }

if ! docker image inspect rose-local/debian:trixie >/dev/null 2>&1; then
  command -v debootstrap >/dev/null 2>&1 || { say "debootstrap is missing (Debian package debootstrap)"; exit 1; }
  mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  root="$(mktemp -d /tmp/rose-trixie-rootfs-XXXXXX)"
  trap 'rm -rf "$root" "$root.log"' EXIT
  say "debootstrap trixie (minbase) from $mirror"
  debootstrap --variant=minbase trixie "$root" "$mirror" > "$root.log" 2>&1 || { tail -n 20 "$root.log" >&2; say "debootstrap failed"; exit 1; }
  # apt inside the image uses the same mirror; nothing else is configured.
  rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/archives/"*.deb
  tar -C "$root" -c . | docker import - rose-local/debian:trixie >/dev/null
  rm -rf "$root" "$root.log"; trap - EXIT
  say "imported rose-local/debian:trixie"
fi

if ! docker image inspect rose-local/dotnet-aspnet:10.0 >/dev/null 2>&1; then
  dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
  netcore="$(ls -d "$dotnet_root"/shared/Microsoft.NETCore.App/10.* 2>/dev/null | sort -V | tail -n 1)"
  aspnet="$(ls -d "$dotnet_root"/shared/Microsoft.AspNetCore.App/10.* 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$netcore" ] && [ -n "$aspnet" ] || { say "no .NET 10 and ASP.NET Core 10 runtime under $dotnet_root"; exit 1; }
  say "importing the host's .NET runtime ($(basename "$netcore")) as rose-local/dotnet-aspnet:10.0"
  tar -C "$dotnet_root" --transform 's|^\.|usr/share/dotnet|' -c ./dotnet ./host ./LICENSE.txt ./ThirdPartyNotices.txt \
      "./shared/Microsoft.NETCore.App/$(basename "$netcore")" "./shared/Microsoft.AspNetCore.App/$(basename "$aspnet")" \
    | docker import - rose-local/dotnet-aspnet:10.0 >/dev/null
fi

#!/usr/bin/env bash
# Builds bench/MicroGen.Bench.Startup (framework-dependent, JIT) against a freshly packed MicroGen
# package instead of the projects, into bench/results/startup-package, for the harness's
# --startup-package option. The package carries MicroGen.dll precompiled (ReadyToRun) for this
# platform under runtimes/<rid>/lib; this measures what an app referencing the package gets.
set -euo pipefail
cd "$(dirname "$0")/.."
feed=bench/results/package
out=bench/results/startup-package
# A new version per pack: NuGet caches a package by version, so reusing one would keep the old bits.
version="0.1.0-local.$(date -u +%Y%m%d%H%M%S)"
rm -rf "$feed" "$out"
# The versions earlier runs of this script left in NuGet's global packages folder.
packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
rm -rf "$packages"/microgen/0.1.0-local.*
dotnet pack runtime/MicroGen/MicroGen.csproj -c Release -o "$feed" -p:PackageVersion="$version" --nologo -v quiet
# (The project's next ordinary build restores against the projects again by itself.)
dotnet build bench/MicroGen.Bench.Startup/MicroGen.Bench.Startup.csproj -c Release --nologo -v quiet \
    -p:MicroGenPackageVersion="$version" -p:RestoreAdditionalProjectSources="$PWD/$feed" -o "$out"
echo "$out/MicroGen.Bench.Startup (MicroGen $version)"

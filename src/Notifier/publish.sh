#!/usr/bin/env bash
# Builds the deployable function app: a folder and a zip holding host.json, one folder per function with its
# function.json, and `notifier` published self-contained for linux-x64 with ReadyToRun (no .NET needed on
# the host, fast cold start). The function.json sources live in src/Notifier/Functions/<Name>/ so the
# repository's top level stays as agreed; this script lays them out at the package root, where the
# Functions host looks for them.
#
# Usage: src/Notifier/publish.sh [OUTPUT_DIR]        (default: artifacts/functionapp)
# Result: OUTPUT_DIR/ and OUTPUT_DIR.zip; deploy the zip, e.g. `az functionapp deployment source config-zip`
#         or `func azure functionapp publish` from OUTPUT_DIR.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(realpath -m "${1:-$root/artifacts/functionapp}")"
zip_path="$out.zip"

rm -rf "$out" "$zip_path"
dotnet publish "$root/src/Notifier/Notifier.csproj" -c Release -r linux-x64 --self-contained true \
  -p:PublishReadyToRun=true -p:DebugType=none -o "$out" --nologo

cp "$root/host.json" "$out/host.json"
for function_json in "$root"/src/Notifier/Functions/*/function.json; do
  name="$(basename "$(dirname "$function_json")")"
  mkdir -p "$out/$name"
  cp "$function_json" "$out/$name/function.json"
done
chmod 755 "$out/notifier"

# The zip must keep the executable bit: the host runs ./notifier directly.
/usr/bin/python3 - "$out" "$zip_path" <<'PY'
import os, stat, sys, zipfile
source, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
    for folder, _, files in os.walk(source):
        for name in sorted(files):
            path = os.path.join(folder, name)
            info = zipfile.ZipInfo.from_file(path, os.path.relpath(path, source))
            info.external_attr = (stat.S_IMODE(os.stat(path).st_mode) | stat.S_IFREG) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as f:
                archive.writestr(info, f.read())
PY
echo "function app: $out"
echo "zip:          $zip_path"

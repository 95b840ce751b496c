#!/usr/bin/env bash
# One-command deployment of Notifier: the steps of docs/deploy.md in order (resource group, resources,
# SMTP secrets, package, first test email). Needs Azure CLI 2.60+ signed in (az login).
#
#   infra/deploy.sh --resource-group RG --location REGION --environment NAME --package artifacts/functionapp.zip \
#                   [--test-to you@example.com] [--anonymous-smtp | --oauth2-mailbox ADDR] [--parameter NAME=VALUE]...
#
# The SMTP username and password come from MAIL_USERNAME / MAIL_PASSWORD when set, otherwise they are
# asked for (the password without echo). They are never template parameters and never printed.
# --oauth2-mailbox signs in with OAuth2 (Microsoft 365) as that mailbox: no password is asked for or stored.
# On the run that creates the app's identity it leaves the test email for after the Exchange Online steps.
# DEPLOYER_PRINCIPAL_ID overrides the signed-in user's object id (e.g. when signed in as a service principal).
set -euo pipefail

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

group="" location="" environment="" package="" test_to="" anonymous=false oauth2_mailbox=""
extra_parameters=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --resource-group) group="${2:-}"; shift 2 ;;
    --location) location="${2:-}"; shift 2 ;;
    --environment) environment="${2:-}"; shift 2 ;;
    --package) package="${2:-}"; shift 2 ;;
    --test-to) test_to="${2:-}"; shift 2 ;;
    --anonymous-smtp) anonymous=true; shift ;;
    --oauth2-mailbox) oauth2_mailbox="${2:-}"; shift 2 ;;
    --parameter) extra_parameters+=("${2:-}"); shift 2 ;;
    -h|--help) usage ;;
    *) echo "deploy.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[[ -n "$group" && -n "$location" && -n "$environment" && -n "$package" ]] || usage
[[ "$anonymous" == false || -z "$oauth2_mailbox" ]] || { echo "deploy.sh: --anonymous-smtp and --oauth2-mailbox exclude each other" >&2; exit 2; }
[[ -f "$package" ]] || { echo "deploy.sh: package '$package' not found; build it with src/Notifier/publish.sh first" >&2; exit 2; }

infra_dir="$(cd "$(dirname "$0")" && pwd)"
deployment=notifier

step() { printf '\n== %s\n' "$*" >&2; }

output() {
  az deployment group show --resource-group "$group" --name "$deployment" \
    --query "properties.outputs.$1.value" --output tsv
}

# Role assignments take a little while to reach the data plane; retry a Forbidden for about two minutes.
with_retry() {
  local attempt
  for attempt in 1 2 3 4 5 6 7 8; do
    if "$@"; then
      return 0
    fi
    echo "deploy.sh: attempt $attempt failed; waiting for the new role assignment to take effect" >&2
    sleep "${DEPLOY_RETRY_SECONDS:-15}"
  done
  return 1
}

# Pre-flight: the same compiler `az deployment` uses, with infra/bicepconfig.json (linter findings are
# errors), so a template that would not compile stops here before anything is created.
step "Compile infra/main.bicep"
if ! az bicep build --file "$infra_dir/main.bicep" --stdout >/dev/null; then
  echo "deploy.sh: infra/main.bicep does not compile (the compiler's message is above); nothing was created" >&2
  exit 1
fi

step "Resource group $group ($location)"
az group create --name "$group" --location "$location" --output none

deployer="${DEPLOYER_PRINCIPAL_ID:-$(az ad signed-in-user show --query id --output tsv)}"
parameters=("environmentName=$environment" "deployerPrincipalId=$deployer")
if [[ "$anonymous" == true ]]; then
  parameters+=("mailUseKeyVaultCredentials=false")
fi
if [[ -n "$oauth2_mailbox" ]]; then
  parameters+=("mailAuthentication=OAuth2" "mailOAuth2Mailbox=$oauth2_mailbox")
fi

# With OAuth2 the test email can only succeed after the Exchange Online steps, which need the ids of the app's
# identity; on the run that creates it (no earlier deployment) the test email is left for afterwards.
identity_is_new=false
if [[ -n "$oauth2_mailbox" && -n "$test_to" ]] \
  && ! az deployment group show --resource-group "$group" --name "$deployment" --query name --output none 2>/dev/null; then
  identity_is_new=true
fi

step "Resources (infra/main.bicep)"
az deployment group create --resource-group "$group" --name "$deployment" \
  --template-file "$infra_dir/main.bicep" --parameters "$infra_dir/main.parameters.json" \
  --parameters "${parameters[@]}" ${extra_parameters[@]+"${extra_parameters[@]}"} --output none

app="$(output functionAppName)"
vault="$(output keyVaultName)"

if [[ -n "$oauth2_mailbox" ]]; then
  step "OAuth2 as $oauth2_mailbox: no password to store; grant the app's identity SMTP.SendAsApp (docs/deploy.md)"
elif [[ "$anonymous" == false ]]; then
  step "SMTP credentials into Key Vault $vault"
  username="${MAIL_USERNAME:-}"
  if [[ -z "$username" ]]; then
    read -rp "SMTP username: " username
  fi
  password="${MAIL_PASSWORD:-}"
  if [[ -z "$password" ]]; then
    read -rsp "SMTP password: " password
    echo >&2
  fi
  with_retry az keyvault secret set --vault-name "$vault" --name mail-username --value "$username" --output none
  with_retry az keyvault secret set --vault-name "$vault" --name mail-password --value "$password" --output none
  unset password
fi

# The BitbucketWebhook function's secret (Bitbucket__WebhookSecret refers to it): made once and never
# replaced here, so redeploying does not break the webhook; rotation is described in docs/bitbucket.md.
step "Bitbucket webhook secret in Key Vault $vault"
webhook_secret_state=unknown
for attempt in 1 2 3 4 5 6 7 8; do
  if error="$(az keyvault secret show --vault-name "$vault" --name bitbucket-webhook-secret --query id --output none 2>&1)"; then
    webhook_secret_state=exists; break
  elif [[ "$error" == *SecretNotFound* ]]; then
    webhook_secret_state=missing; break
  fi
  echo "deploy.sh: attempt $attempt to read the vault failed ($error); waiting for the new role assignment to take effect" >&2
  sleep "${DEPLOY_RETRY_SECONDS:-15}"
done
case "$webhook_secret_state" in
  exists) echo "bitbucket-webhook-secret exists; left as it is" >&2 ;;
  missing)
    webhook_secret="$(openssl rand -hex 32)"
    with_retry az keyvault secret set --vault-name "$vault" --name bitbucket-webhook-secret --value "$webhook_secret" --output none
    unset webhook_secret
    echo "bitbucket-webhook-secret created; give its value to the Bitbucket webhook (docs/bitbucket.md)" >&2 ;;
  *) echo "deploy.sh: could not read Key Vault $vault; the Bitbucket webhook secret was not checked" >&2; exit 1 ;;
esac

step "Package $package to $app"
az functionapp deployment source config-zip --resource-group "$group" --name "$app" --src "$package"

if [[ -n "$test_to" && "$identity_is_new" == true ]]; then
  step "Test email to $test_to: not sent yet, the app's identity was created by this run"
  cat >&2 <<EOF_NEXT
deploy.sh: Exchange Online does not know the new identity yet, so the test email would be refused. Do the
Exchange Online steps of docs/deploy.md (Microsoft 365: OAuth2 instead of a password) for $oauth2_mailbox with
  MI_CLIENT_ID=$(output identityClientId)
  MI_OBJECT_ID=$(output identityPrincipalId)
then send the test email:
  KEY=\$(az functionapp keys list --resource-group $group --name $app --query masterKey --output tsv)
  curl -X POST "https://$app.azurewebsites.net/api/mail/test?code=\$KEY" -H "Content-Type: application/json" -d '{"to":"$test_to"}'
EOF_NEXT
elif [[ -n "$test_to" ]]; then
  step "Test email to $test_to"
  key="$(az functionapp keys list --resource-group "$group" --name "$app" --query masterKey --output tsv)"
  body="$(mktemp)"
  trap 'rm -f "$body"' EXIT
  status="$(curl --silent --show-error --output "$body" --write-out '%{http_code}' -X POST \
    "https://$app.azurewebsites.net/api/mail/test?code=$key" \
    -H "Content-Type: application/json" --data "{\"to\":\"$test_to\"}")"
  cat "$body" >&2
  echo >&2
  if [[ "$status" != 200 ]]; then
    echo "deploy.sh: the test email was not sent (HTTP $status); the answer above says what to change" >&2
    exit 1
  fi
fi

step "Done: https://$app.azurewebsites.net"

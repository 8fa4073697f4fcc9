#!/usr/bin/env bash
# Makes the kubeconfig to embed in ktctl: a ServiceAccount in one namespace, a Role with the
# rights ktctl needs there, a RoleBinding, a long-lived token Secret, and a kubeconfig that
# authenticates with that token. Runs with the admin's own kubectl context; see
# docs/credentials.md.
#
#   scripts/make-kubeconfig.sh --namespace dev [--rights connect|all] [--output ktctl-kubeconfig.yaml]
#   gh secret set KTCTL_KUBECONFIG < ktctl-kubeconfig.yaml
#
# The token is never printed: it goes from kubectl's output into the file (mode 0600) only.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: make-kubeconfig.sh --namespace NAMESPACE [options]

Creates (or updates) in NAMESPACE, with your current kubectl context:
  ServiceAccount NAME, Role NAME, RoleBinding NAME, Secret NAME-token (a long-lived token),
and writes a kubeconfig that uses the token, for the kubeconfig input of ktctl-customize.

Options:
  -n, --namespace NS     namespace ktctl works in (required; it must exist)
      --name NAME        name of the ServiceAccount, Role, RoleBinding (default: ktctl)
      --rights SET       connect: what `ktctl connect` needs (default)
                         all: also exchange, mesh, preview (services, deployments)
  -o, --output FILE      kubeconfig to write (default: ktctl-kubeconfig.yaml; must not exist)
      --force            replace an existing output file
      --server URL       API server address developers reach (default: the one of your context)
      --context CTX      kubectl context to create the objects with (default: the current one)
      --timeout SECONDS  how long to wait for the token (default: 60)
      --print-manifests  print the manifests (no token in them) and change nothing
  -h, --help             this text

Needs kubectl and base64. Then: gh secret set KTCTL_KUBECONFIG < FILE
EOF
}

die() {
  printf 'make-kubeconfig: %s\n' "$*" >&2
  exit 1
}

namespace=''
name='ktctl'
rights='connect'
output='ktctl-kubeconfig.yaml'
force=false
server=''
context=''
timeout=60
print_only=false

need_value() { if [ "$#" -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value (see --help)"; fi; }

while [ "$#" -gt 0 ]; do
  case "$1" in
    -n | --namespace) need_value "$@"; namespace=$2; shift 2 ;;
    --name) need_value "$@"; name=$2; shift 2 ;;
    --rights) need_value "$@"; rights=$2; shift 2 ;;
    -o | --output) need_value "$@"; output=$2; shift 2 ;;
    --force) force=true; shift ;;
    --server) need_value "$@"; server=$2; shift 2 ;;
    --context) need_value "$@"; context=$2; shift 2 ;;
    --timeout) need_value "$@"; timeout=$2; shift 2 ;;
    --print-manifests) print_only=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

# A DNS-1123 label: what Kubernetes accepts as a namespace, and safe unquoted in YAML.
is_label() { [ "${#1}" -le 63 ] && printf '%s' "$1" | grep -Eqx '[a-z0-9]([-a-z0-9]*[a-z0-9])?'; }

[ -n "$namespace" ] || die '--namespace is required: the namespace ktctl works in (see --help)'
is_label "$namespace" || die "--namespace: '$namespace' is not a Kubernetes namespace name (lower case letters, digits, '-', at most 63)"
if ! is_label "$name" || [ "${#name}" -gt 57 ]; then
  die "--name: '$name' must be lower case letters, digits and '-', at most 57 characters"
fi
case "$rights" in connect | all) ;; *) die "--rights: '$rights' is not connect or all" ;; esac
printf '%s' "$timeout" | grep -Eqx '[1-9][0-9]{0,3}' || die "--timeout: '$timeout' is not a number of seconds (1 to 9999)"

secret="$name-token"

# The rules follow kt-connect's own minimum sets (docs/deploy/rbac in kt-connect):
# connect-only-mini for `ktctl connect`, all-commands-mini plus deployments for the rest.
rules() {
  cat <<'EOF'
  - apiGroups: [""]
    resources: [pods]
    verbs: [create, delete, get, list, patch]
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [create, delete, get, patch]
  - apiGroups: [""]
    resources: [pods/exec, pods/portforward]
    verbs: [create]
EOF
  if [ "$rights" = connect ]; then
    cat <<'EOF'
  - apiGroups: [""]
    resources: [services]
    verbs: [list]
EOF
  else
    cat <<'EOF'
  - apiGroups: [""]
    resources: [pods, services]
    verbs: [create, delete, get, list, update, patch]
  - apiGroups: [apps]
    resources: [deployments]
    verbs: [create, delete, get, list, update, patch]
  - apiGroups: [apps]
    resources: [deployments/scale]
    verbs: [create, get, update, patch]
EOF
  fi
}

manifests() {
  cat <<EOF
apiVersion: v1
kind: ServiceAccount
metadata:
  name: $name
  namespace: $namespace
  labels:
    app.kubernetes.io/managed-by: ktctl-customize
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: $name
  namespace: $namespace
  labels:
    app.kubernetes.io/managed-by: ktctl-customize
rules:
$(rules)
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: $name
  namespace: $namespace
  labels:
    app.kubernetes.io/managed-by: ktctl-customize
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: $name
subjects:
  - kind: ServiceAccount
    name: $name
    namespace: $namespace
---
# A long-lived token: Kubernetes fills data.token for this Secret and never expires it
# (a token from kubectl create token lasts an hour by default). Delete the Secret to revoke it.
apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata:
  name: $secret
  namespace: $namespace
  labels:
    app.kubernetes.io/managed-by: ktctl-customize
  annotations:
    kubernetes.io/service-account.name: $name
EOF
}

if [ "$print_only" = true ]; then
  manifests
  exit 0
fi

command -v kubectl >/dev/null || die 'kubectl is not on PATH'
command -v base64 >/dev/null || die 'base64 is not on PATH'
kubectl_ctx() {
  if [ -n "$context" ]; then kubectl --context "$context" "$@"; else kubectl "$@"; fi
}

if [ -e "$output" ] || [ -L "$output" ]; then
  [ "$force" = true ] || die "--output: '$output' exists; give another path or --force"
  if [ ! -f "$output" ] || [ -L "$output" ]; then die "--output: '$output' is not a regular file"; fi
fi

if [ -z "$server" ]; then
  server=$(kubectl_ctx config view --minify -o 'jsonpath={.clusters[0].cluster.server}') ||
    die 'could not read the API server address of your kubectl context'
fi
printf '%s' "$server" | grep -Eqx 'https?://[]A-Za-z0-9._:/[-]+' ||
  die "--server: '$server' is not an http(s) address of an API server"
case "$server" in
  https://127.* | https://localhost* | https://\[::1\]* | http://*)
    printf 'make-kubeconfig: warning: the kubeconfig will point at %s; developers must reach that address (see --server)\n' "$server" >&2
    ;;
esac

printf 'Creating ServiceAccount, Role (%s), RoleBinding %s and Secret %s in namespace %s\n' "$rights" "$name" "$secret" "$namespace" >&2
# --validate=false: the manifests are this script's own, fixed text (kubectl's client-side
# validation downloads the server's whole OpenAPI document; the API server still checks them).
manifests | kubectl_ctx apply --validate=false -f - >&2 || die "kubectl apply failed in namespace $namespace (does it exist, and may your context create Roles there?)"

# The token controller fills the Secret shortly after it is created.
token_b64=''
waited=0
while :; do
  token_b64=$(kubectl_ctx get secret "$secret" -n "$namespace" -o 'jsonpath={.data.token}') ||
    die "could not read Secret $secret in namespace $namespace"
  [ -n "$token_b64" ] && break
  [ "$waited" -lt "$timeout" ] || die "Secret $secret got no token within $timeout s: is the token controller running (kube-controller-manager)?"
  sleep 1
  waited=$((waited + 1))
done

ca_data=$(kubectl_ctx get secret "$secret" -n "$namespace" -o 'jsonpath={.data.ca\.crt}') || ca_data=''
if [ -z "$ca_data" ]; then
  # --flatten inlines a certificate-authority file as data
  ca_data=$(kubectl_ctx config view --raw --minify --flatten -o 'jsonpath={.clusters[0].cluster.certificate-authority-data}') || ca_data=''
fi
case "$server" in
  https://*) [ -n "$ca_data" ] || die "no CA certificate: Secret $secret has no ca.crt and your context has no certificate-authority-data" ;;
esac
printf '%s' "$ca_data" | grep -Eqx '[A-Za-z0-9+/=]*' || die 'the CA certificate data is not base64'

# Written to a temporary file beside the output (mode 0600), then renamed into place, so a
# failure leaves no half-written kubeconfig; the temporary file is removed in every ending.
umask 077
tmp=$(mktemp "$(dirname -- "$output")/.ktctl-kubeconfig.XXXXXX")
trap 'rm -f -- "$tmp"' EXIT
trap 'exit 1' INT TERM HUP # through the EXIT trap above
token=$(printf '%s' "$token_b64" | base64 -d) || die "Secret $secret holds a token that is not base64"
unset token_b64
printf '%s' "$token" | grep -Eqx '[A-Za-z0-9._-]+' || die "Secret $secret holds a token of unexpected characters"
cluster="ktctl-cluster"
user="$name"
ctx="$name@$namespace"
{
  printf 'apiVersion: v1\nkind: Config\n'
  printf 'clusters:\n- name: %s\n  cluster:\n    server: "%s"\n' "$cluster" "$server"
  if [ -n "$ca_data" ]; then printf '    certificate-authority-data: %s\n' "$ca_data"; fi
  printf 'users:\n- name: %s\n  user:\n    token: %s\n' "$user" "$token"
  printf 'contexts:\n- name: %s\n  context:\n    cluster: %s\n    user: %s\n    namespace: %s\n' "$ctx" "$cluster" "$user" "$namespace"
  printf 'current-context: %s\n' "$ctx"
} >"$tmp"
unset token
mv -f -- "$tmp" "$output"
trap - EXIT INT TERM HUP

printf 'Wrote %s (context %s, namespace %s, server %s).\n' "$output" "$ctx" "$namespace" "$server" >&2
printf 'Store it as the secret the workflow embeds, then delete the file:\n  gh secret set KTCTL_KUBECONFIG < %s && rm %s\n' "$output" "$output" >&2

# Put the matrix's interpreters (python3.10 ... python3.13) on PATH for nox (sourced by .ci/run).
# pyenv keeps them in $(pyenv root)/versions/<x.y.z>/bin; plain installs are used as they are.

add_matrix_pythons() {
  local version dir root
  root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  for version in 3.10 3.11 3.12 3.13; do
    if ! "python$version" --version >/dev/null 2>&1; then
      dir=$(ls -d "$root/versions/$version".* 2>/dev/null | sort -V | tail -n 1 || true)
      [ -n "$dir" ] || fail "Python $version is not installed (needed by the nox matrix)"
      PATH="$PATH:$dir/bin"
    fi
  done
  export PATH
}

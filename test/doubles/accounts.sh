# Shared by the account doubles (getent, id, useradd, usermod, userdel, groupadd, groupmod, groupdel):
# $S/passwd, $S/group and $S/shadow in the /etc formats.
touch "$S/passwd" "$S/group" "$S/shadow"

# field N of the line whose field 1 (name) or field 3 (id) equals KEY
lookup() { awk -F: -v k="$2" '$1 == k || ($3 == k && k ~ /^[0-9]+$/) { print; exit }' "$S/$1"; }
field() { lookup "$1" "$2" | cut -d: -f"$3"; }
has() { [ -n "$(lookup "$1" "$2")" ]; }

# the first free id at or above FROM (or, with DOWN, at or below)
free_id() {
  local file=$1 id=$2 step=$3
  while awk -F: -v i="$id" '$3 == i { f = 1 } END { exit !f }' "$S/$file"; do id=$((id + step)); done
  echo "$id"
}

# set_field FILE NAME N VALUE
set_field() {
  awk -F: -v OFS=: -v n="$2" -v i="$3" -v v="$4" '$1 == n { $i = v } { print }' "$S/$1" > "$S/$1.new" && mv "$S/$1.new" "$S/$1"
}

add_member() {
  awk -F: -v OFS=: -v g="$1" -v u="$2" '$1 == g { n = split($4, m, ","); f = 0; for (j = 1; j <= n; j++) if (m[j] == u) f = 1; if (!f) $4 = ($4 == "" ? u : $4 "," u) } { print }' "$S/group" > "$S/group.new" && mv "$S/group.new" "$S/group"
}

drop_member() {
  awk -F: -v OFS=: -v u="$1" '{ n = split($4, m, ","); o = ""; for (j = 1; j <= n; j++) if (m[j] != u) o = (o == "" ? m[j] : o "," m[j]); $4 = o; print }' "$S/group" > "$S/group.new" && mv "$S/group.new" "$S/group"
}

del_line() {
  awk -F: -v n="$2" '$1 != n' "$S/$1" > "$S/$1.new" && mv "$S/$1.new" "$S/$1"
}

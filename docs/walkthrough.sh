#!/usr/bin/env bash
# The README's curl walk-through, runnable: register → refer → receive → forward → complete → close → track.
# Needs curl and jq, and a server started with `scripts/run.sh` (or `muamalat serve --demo`).
#   PASSWORD=<demo password> docs/walkthrough.sh [http://127.0.0.1:8080]
set -euo pipefail
API="${1:-http://127.0.0.1:8080}/api/v1"
: "${PASSWORD:?set PASSWORD to the demo password printed at first start}"

login() { curl -sf "$API/auth/login" -H 'content-type: application/json' \
            -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" | jq -r .access_token; }
call() { local who=$1; shift; curl -sf -H "authorization: Bearer $who" -H 'content-type: application/json' "$@"; }

CLERK=$(login registry.clerk1)
unit() { call "$CLERK" "$API/units" | jq -r ".[] | select(.code==\"$1\") | .id"; }
user() { call "$CLERK" "$API/users?q=$1" | jq -r ".[] | select(.username==\"$1\") | .id"; }
KHB=$(unit KHB); HR=$(unit GD-HR); ENG=$(unit KHB-ENG)
MINISTRY=$(call "$CLERK" "$API/external-entities?q=MOMAH" | jq -r '.[0].id')

# 1. The central registry registers a letter from the ministry and refers it: Khobar for action, HR for information.
REG=$(call "$CLERK" "$API/transactions" -H 'Idempotency-Key: walkthrough-1' -d "{
  \"kind\": \"incoming\", \"subject\": \"طلب بيانات المشاريع البلدية\", \"external_entity_id\": $MINISTRY,
  \"sender_reference\": \"1447/م/889\", \"priority\": \"urgent\",
  \"referrals\": [{\"unit_id\": $KHB, \"purpose\": \"action\", \"instructions\": \"للإفادة\"},
                  {\"unit_id\": $HR, \"purpose\": \"information\"}]}")
TX=$(echo "$REG" | jq -r .transaction.id)
echo "registered $(echo "$REG" | jq -r .transaction.registration_number) (transaction $TX)"
R1=$(echo "$REG" | jq -r ".referrals[] | select(.to_unit.code==\"KHB\") | .id")

# 2. Khobar's head receives it and refers it to an employee with instructions.
HEAD=$(login khb.head)
call "$HEAD" "$API/referrals/$R1/receive" -d '{}' >/dev/null
R2=$(call "$HEAD" "$API/referrals/$R1/forward" -d "{\"targets\": [{\"unit_id\": $KHB, \"user_id\": $(user khb.employee1),
     \"purpose\": \"action\", \"instructions\": \"نأمل الدراسة والرفع\"}]}" | jq -r '.referrals[0].id')

# 3. The employee forwards it to the engineering department.
EMP=$(login khb.employee1)
R3=$(call "$EMP" "$API/referrals/$R2/forward" -d "{\"targets\": [{\"unit_id\": $ENG, \"purpose\": \"action\"}]}" \
     | jq -r '.referrals[0].id')

# 4. The engineering department completes it; the registry closes the transaction.
ENGINEER=$(login khb-eng.employee1)
call "$ENGINEER" "$API/referrals/$R3/complete" -d '{"note": "أُرسلت البيانات"}' >/dev/null
call "$CLERK" "$API/transactions/$TX/close" -d '{"note": "أُنجز الطلب"}' | jq -r '"status: " + .status'

# 5. Track: the timeline, the route tree (the HR copy runs beside the Khobar chain), dwell time per holder.
call "$CLERK" "$API/transactions/$TX/timeline" | jq -r '.[] | "\(.at)  \(.kind)  \(.actor.username) @ \(.actor_unit.code)"'
call "$CLERK" "$API/transactions/$TX/route" | jq -r '.roots[] | "\(.referral.to_unit.code) (\(.referral.purpose)) → \([.children[]?.referral.to_user.username] | join(","))"'
call "$CLERK" "$API/transactions/$TX/dwell" | jq -r '.per_user[] | "\(.user.username): waited \(.waiting.wall_clock_seconds)s, worked \(.working.wall_clock_seconds)s"'

package store

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Every key of the table is built here and nowhere else. Partition keys always start with the
// owning tenant where there is one (PARTNER#<id>), so a key derived from the caller's scope can
// never name another tenant's item.
//
//	Item            PK                         SK
//	partner         PARTNER#<partnerId>        PROFILE
//	partner user    PARTNER#<partnerId>        USER#<userId>
//	activity        PARTNER#<partnerId>        ACT#<activityId>        (ULID: time-ordered)
//	login           LOGIN#<email>              LOGIN
//	sign-in guard   SIGNIN#<sha256(email)>     GUARD#<window number>   (TTL)
//	idempotency     IDEM#<scope>#<sha256(key)> IDEM                    (TTL)
const (
	attrPK  = "PK"
	attrSK  = "SK"
	skProf  = "PROFILE"
	skUser  = "USER#"
	skAct   = "ACT#"
	skLogin = "LOGIN"
	skGuard = "GUARD#"
	skIdem  = "IDEM"
)

func partnerPK(partnerID string) string { return "PARTNER#" + partnerID }
func userSK(userID string) string       { return skUser + userID }
func activitySK(actID string) string    { return skAct + actID }
func loginPK(email string) string       { return "LOGIN#" + strings.ToLower(email) }
func guardPK(email string) string       { return "SIGNIN#" + sha(strings.ToLower(email)) }
func idemPK(scope, key string) string   { return "IDEM#" + scope + "#" + sha(key) }

// guardSK names the fixed sign-in window that starts at start (epoch milliseconds).
func guardSK(start time.Time) string { return skGuard + strconv.FormatInt(start.UnixMilli(), 10) }

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
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
//	sign-in session PARTNER#<pid> or CUSTOMER#<cid>  SESSION#<userId>#<sessionId>  (TTL: its absolute end)
//	second factor   PARTNER#<pid> or CUSTOMER#<cid>  MFA#<userId>      (TOTP secret sealed; recovery code hashes)
//	sign-in guard   SIGNIN#<sha256(email)>     GUARD#<window start ms> (TTL)
//	idempotency     IDEM#<scope>#<sha256(key)> IDEM                    (TTL)
//	customer        CUSTOMER#<cid>             PROFILE
//	customer user   CUSTOMER#<cid>             USER#<uid>
//	password resets CUSTOMER#<cid>             RESETS#<uid>            (TTL; a customer user's reset history)
//	customer log    CUSTOMER#<cid>             ACT#<activityId>
//	subscription    CUSTOMER#<cid>             SUB#<sid>
//	relationship    CUSTOMER#<cid>             PARTNER#<pid>     and    PARTNER#<pid>  CUSTOMER#<cid>
//	                  the partner's side is also on GSI1: CUSTOMERS#<pid> / <nameKey>#<cid> (the
//	                  customer list by folded name; the search's name class) and on GSI2:
//	                  CUSTDOMAINS#<pid> / <domainPrefix>#<cid> (the search's domain class)
//	customer word   CUSTWORDS#<pid>            <suffixKey>#<cid>       (the search's word class: the
//	                  folded name from its 2nd..MaxIndexedWords-th word on, one item per word)
//	domain prefix   DOMAIN#<cloud>#<prefix>    DOMAIN                  (uniqueness per cloud)
//	code guesses    RATE#<sha256(source)>      CODES#<window>          (TTL)
//	links           see links.go
//	outbox          OUTBOX#<outboxId>          OUTBOX                  (GSI1 while pending or sending)
//	service request CUSTOMER#<cid>             SR#<pid>#<rid>          GSI1 SRQ#<pid>#<status>, GSI2 SRDESK#<cloud>#<status> (sent)
//	request note    CUSTOMER#<cid>             SR#<pid>#<rid>#NOTE#<nid>   (ULID: time-ordered)
//	request ref     SR#<rid>                   SR                      (customer and partner of a request id)
//	request counts  CUSTOMER#<cid>             SRSTATS#<pid>           (open + attention_needed)
//	notification    PARTNER#<pid>              NTF#<eventId>           GSI1 NTF#<pid>, GSI2 NTFK#<pid>#<kind> (notifications.go)
//	  its customer view PARTNER#<pid>          NTFC#<eventId>          GSI1 NTFC#<pid>#<cid>, GSI2 NTFCK#<pid>#<cid>#<kind>
//	inbox counts    PARTNER#<pid>              NTFSTATS                GSI1 NTF#<pid> / ~COUNT (unread)
//	email settings  PARTNER#<pid>              NTFSET#<userId>         (a partner user's notification emails)
//	webhook         PARTNER#<pid>              WEBHOOK#<wid>           (signing secret sealed)
//	webhook count   PARTNER#<pid>              WEBHOOKS                (≤ admin.MaxWebhooks)
//	delivery        PARTNER#<pid>              WHDLV#<wid>#<eventId>   GSI1 WHDUE / <due ms>#<pid>#<wid>#<eventId> while pending (TTL)
//	delivery queue  PARTNER#<pid>              WHQ#<wid>#<sid>#<seq>#<eventId>   (while pending; seq: the subscription's version)
//	delivery log    PARTNER#<pid>              WHLOG#<wid>#<attemptId> (TTL; ULID: newest first)
//	log head        PARTNER#<pid>              WHLOG#<wid>#~           (while the endpoint exists: tops its log)
//	product key     PARTNER#<pid>              PKEY#<keyed hash>       GSI1 PKEYS#<pid> / <keyId>, GSI2 PKEYID#<keyId> / PKEY
//	                  (see productkeys.go)
//
// The Type constants below are the Type attribute of each item, and live here with the keys.
const (
	attrPK     = "PK"
	attrSK     = "SK"
	attrGSI1PK = "GSI1PK"
	attrGSI1SK = "GSI1SK"
	attrGSI2PK = "GSI2PK"
	attrGSI2SK = "GSI2SK"
	attrType   = "Type"
	indexGSI1  = "GSI1"
	indexGSI2  = "GSI2"

	skProf  = "PROFILE"
	skUser  = "USER#"
	skAct   = "ACT#"
	skLogin = "LOGIN"
	skGuard = "GUARD#"
	skIdem  = "IDEM"
)

// Item types (the Type attribute of every item).
const (
	typePartner      = "Partner"
	typeUser         = "User"
	typeActivity     = "Activity"
	typeLogin        = "Login"
	typeGuard        = "SignInGuard"
	typeIdem         = "Idempotency"
	typeLink         = "Link"
	typeLinkCode     = "LinkCode"
	typeLinkUse      = "LinkUse"
	typeCustomer     = "Customer"
	typeDomainPrefix = "DomainPrefix"
	typeSubscription = "Subscription"
	typeRelationship = "Relationship"
	typeCodeGuesses  = "CodeGuesses"
	typeRequest      = "ServiceRequest"
	typeRequestNote  = "ServiceRequestNote"
	typeRequestRef   = "ServiceRequestRef"
	typeRequestStats = "ServiceRequestStats"
	typeSession      = "Session"
	typeFactor       = "SecondFactor"
)

// TypeOutbox is the Type attribute of outbox items.
const TypeOutbox = "Outbox"

func partnerPK(partnerID string) string { return "PARTNER#" + partnerID }

// customerPK is the partition of a customer organization (its profile, users, subscriptions,
// relationships and activity).
func customerPK(customerID string) string { return "CUSTOMER#" + customerID }

// orgPK is the partition of an organization of either kind, told apart by the id's prefix.
func orgPK(orgID string) string {
	if strings.HasPrefix(orgID, "cus_") {
		return customerPK(orgID)
	}
	return partnerPK(orgID)
}
func userSK(userID string) string               { return skUser + userID }
func sessionSK(userID, sessionID string) string { return "SESSION#" + userID + "#" + sessionID }
func factorSK(userID string) string             { return "MFA#" + userID }
func activitySK(actID string) string            { return skAct + actID }
func loginPK(email string) string               { return "LOGIN#" + strings.ToLower(email) }
func guardPK(email string) string               { return "SIGNIN#" + sha(strings.ToLower(email)) }
func idemPK(scope, key string) string           { return "IDEM#" + scope + "#" + sha(key) }

// guardSK names the fixed sign-in window that starts at start (epoch milliseconds).
func guardSK(start time.Time) string { return skGuard + strconv.FormatInt(start.UnixMilli(), 10) }

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// Link keys (see links.go for the layout).
const (
	skLink = "LINK#"
	skCode = "CODE"
)

func linkPrefix(kind admin.LinkKind, id string) string { return skLink + string(kind) + "#" + id + "#" }
func linkSK(kind admin.LinkKind, id string) string     { return linkPrefix(kind, id) + "~" }
func linksGSI(pid string, kind admin.LinkKind) string {
	return "LINKS#" + pid + "#" + string(kind)
}

// linksGSISK orders a partner's links by creation time: <created RFC 3339 UTC>#<linkId>.
func linksGSISK(created time.Time, linkID string) string {
	return created.UTC().Format(time.RFC3339Nano) + "#" + linkID
}

// linkIDOfGSISK returns the link id of a linksGSISK.
func linkIDOfGSISK(gsk string) (string, bool) {
	_, id, ok := strings.Cut(gsk, "#")
	return id, ok
}

func codePK(hash string) string { return "CODE#" + hash }

// Outbox items (emails to send): one partition per email. While pending, GSI1 lists them by due
// time (OUTBOX#pending / nextAttemptAt); while sending, by lease end (OUTBOX#sending /
// leaseUntil): the sweeper's two queries (docs/architecture.md, "Email outbox").
const skOutbox = "OUTBOX"

func outboxPK(outboxID string) string  { return "OUTBOX#" + outboxID }
func outboxGSIPK(status string) string { return "OUTBOX#" + status }
func outboxGSISK(at time.Time) string  { return padMillis(at.UnixMilli()) }
func padMillis(ms int64) string {
	s := strconv.FormatInt(max(ms, 0), 10)
	return strings.Repeat("0", max(15-len(s), 0)) + s
}

// Customer-side keys (see the table at the top of this file).
const (
	skSub     = "SUB#"
	skPartner = "PARTNER#"
)

func subSK(id string) string              { return skSub + id }
func partnerSK(partnerID string) string   { return skPartner + partnerID }    // a customer's side of a relationship
func customerSK(customerID string) string { return "CUSTOMER#" + customerID } // a partner's side
func linkUseSK(kind admin.LinkKind, linkID, useID string) string {
	return linkPrefix(kind, linkID) + "USE#" + useID
}

// The customer directory (directory.go). A nameKey is admin.FoldName with its spaces as '.', and
// '#' ends it before the customer id: '#' < '.' < every letter and digit, so an exact name sorts
// before the longer names it starts ("bau#…" < "bau.gmbh#…" < "bauer#…"), the order of the ranks.
const (
	typeCustomerWord = "CustomerWord"
	gsiCustomers     = "CUSTOMERS#"
	gsiDomains       = "CUSTDOMAINS#"
	pkWords          = "CUSTWORDS#"
)

// nameKey is the key form of a folded name or query.
func nameKey(folded string) string { return strings.ReplaceAll(folded, " ", ".") }

func customersGSI(pid string) string           { return gsiCustomers + pid }
func customersGSISK(folded, cid string) string { return nameKey(folded) + "#" + cid }
func domainsGSI(pid string) string             { return gsiDomains + pid }
func domainsGSISK(domain, cid string) string   { return domain + "#" + cid }
func wordsPK(pid string) string                { return pkWords + pid }
func wordSK(suffixFolded, cid string) string   { return nameKey(suffixFolded) + "#" + cid }

const skDomain = "DOMAIN"

func domainPK(cloud admin.Cloud, prefix string) string {
	return "DOMAIN#" + string(cloud) + "#" + prefix
}
func rateKey(source string, window int64) map[string]types.AttributeValue {
	return key("RATE#"+sha(source), "CODES#"+strconv.FormatInt(window, 10))
}

// Service request keys. A request lives in its customer's partition under its partner (SR#<pid>#…:
// a customer's other partners never reach it), its notes sort right after it (one Query reads a
// request with its notes), and a small ref item maps a request id to its customer and partner
// for the support desk, which knows only the id. The partner's queue is GSI1 (one partition per
// partner and status), the support desk's GSI2 (one per cloud and status; drafts have no GSI2
// keys); both sort by last activity then id, read newest first.
const (
	skRequest      = "SR#"
	skRequestRef   = "SR"
	skRequestStats = "SRSTATS#"
	skNote         = "#NOTE#"
)

func requestPrefix(partnerID string) string        { return skRequest + partnerID + "#" }
func requestSK(partnerID, requestID string) string { return requestPrefix(partnerID) + requestID }
func noteSK(partnerID, requestID, noteID string) string {
	return requestSK(partnerID, requestID) + skNote + noteID
}
func requestRefPK(requestID string) string   { return "SR#" + requestID }
func requestStatsSK(partnerID string) string { return skRequestStats + partnerID }
func requestQueuePK(partnerID string, st admin.RequestStatus) string {
	return "SRQ#" + partnerID + "#" + string(st)
}
func requestDeskPK(cloud admin.Cloud, st admin.RequestStatus) string {
	return "SRDESK#" + string(cloud) + "#" + string(st)
}

// requestQueueSK orders both queues: <last activity, 15-digit epoch ms>#<rid>.
func requestQueueSK(r admin.ServiceRequest) string {
	return padMillis(r.LastActivityAt.UnixMilli()) + "#" + r.ID
}

// A customer user's password reset history (customer_users.go), next to the user.
const typePasswordResets = "PasswordResets"

func resetsSK(userID string) string { return "RESETS#" + userID }

// The partner's inbox (notifications.go). Every index sort key is <state>#<at ms, 15
// digits>#<eventId> with state U (unread) or R (read): read newest first, unread sort before read.
// The notification item is on GSI1 for the whole inbox and on GSI2 per kind; its customer view,
// written and updated in the same transactions, is on GSI1 per customer and on GSI2 per customer
// and kind. Every filter is one Query.
const (
	typeNotification         = "Notification"
	typeNotificationView     = "NotificationCustomerView"
	typeNotificationStats    = "NotificationStats"
	typeNotificationSettings = "NotificationSettings"
	skNotification           = "NTF#"
	skNotificationView       = "NTFC#"
	skNotificationStats      = "NTFSTATS"
	skNotificationSettings   = "NTFSET#"
	inboxUnread              = "U#"
	inboxRead                = "R#"
	// inboxCountSK puts the unread count on GSI1 at the head of the whole inbox's partition
	// ('~' sorts after U and R): the first page's descending Query reads it with the page.
	inboxCountSK = "~COUNT"
)

func notificationSK(eventID string) string     { return skNotification + eventID }
func notificationViewSK(eventID string) string { return skNotificationView + eventID }
func inboxPK(pid string) string                { return "NTF#" + pid }
func inboxKindPK(pid string, k admin.EventKind) string {
	return "NTFK#" + pid + "#" + string(k)
}
func inboxCustomerPK(pid, cid string) string { return "NTFC#" + pid + "#" + cid }
func inboxCustomerKindPK(pid, cid string, k admin.EventKind) string {
	return "NTFCK#" + pid + "#" + cid + "#" + string(k)
}
func inboxSK(read bool, at time.Time, eventID string) string {
	state := inboxUnread
	if read {
		state = inboxRead
	}
	return state + padMillis(at.UnixMilli()) + "#" + eventID
}
func settingsSK(userID string) string { return skNotificationSettings + userID }

// Webhooks (webhooks.go): endpoints, their deliveries, the queues that order a subscription's
// deliveries, and the delivery log, all in the partner's partition; GSI1 WHDUE lists pending
// deliveries by due time for the delivery worker (like the outbox's OUTBOX#pending).
const (
	typeWebhook         = "Webhook"
	typeWebhookCount    = "WebhookCount"
	typeWebhookDelivery = "WebhookDelivery"
	typeWebhookQueue    = "WebhookQueueEntry"
	typeWebhookAttempt  = "WebhookAttempt"
	typeWebhookLogHead  = "WebhookLogHead"
	skWebhook           = "WEBHOOK#"
	skWebhookCount      = "WEBHOOKS"
	gsiWebhookDue       = "WHDUE"
)

func webhookSK(webhookID string) string            { return skWebhook + webhookID }
func deliverySK(webhookID, eventID string) string  { return "WHDLV#" + webhookID + "#" + eventID }
func attemptPrefix(webhookID string) string        { return "WHLOG#" + webhookID + "#" }
func logHeadSK(webhookID string) string            { return attemptPrefix(webhookID) + "~" }
func attemptSK(webhookID, attemptID string) string { return attemptPrefix(webhookID) + attemptID }
func queuePrefix(webhookID, subID string) string   { return "WHQ#" + webhookID + "#" + subID + "#" }
func deliveryDueSK(at time.Time, d admin.WebhookDelivery) string {
	return padMillis(at.UnixMilli()) + "#" + d.PartnerID + "#" + d.WebhookID + "#" + d.EventID
}

// queueSK orders a subscription's deliveries to one endpoint by the subscription's version.
func queueSK(d admin.WebhookDelivery) string {
	return queuePrefix(d.WebhookID, d.SubscriptionID) + fmt.Sprintf("%010d", max(d.Sequence, 0)) + "#" + d.EventID
}

// The clock (clock.go): one entry per countdown (a trial, a delegated administration) in its
// customer's partition, listed on GSI1 by due time in one of clockShards partitions per job (the
// shard a hash of the entry's key: the writes of many countdowns spread over several index
// partitions, and a run reads a fixed number of them however old what is due).
const (
	typeClockEntry = "ClockEntry"
	skClock        = "CLOCK#"
	clockShards    = 8
)

func clockSK(job admin.ClockJob, subjectID string) string {
	return skClock + string(job) + "#" + subjectID
}
func clockGSI(job admin.ClockJob, shard int) string {
	return "CLOCK#" + string(job) + "#" + strconv.Itoa(shard)
}

// clockGSISK orders a shard by due time: <due, 15-digit epoch ms>#<cid>#<subjectId>.
func clockGSISK(due time.Time, customerID, subjectID string) string {
	return padMillis(due.UnixMilli()) + "#" + customerID + "#" + subjectID
}

// clockShard is the shard of an entry: FNV-1a of its customer and subject.
func clockShard(customerID, subjectID string) int {
	h := uint32(2166136261)
	for _, c := range []byte(customerID + "#" + subjectID) {
		h = (h ^ uint32(c)) * 16777619
	}
	return int(h % clockShards)
}

// Product keys (productkeys.go). A key lives in its partner's partition under its keyed hash, so
// a lookup of a key typed by a partner user reads the caller's partition only: another partner's
// key is not there. GSI1 lists a partner's keys newest first (the inventory), GSI2 finds a key by
// its id (the operator's revocation).
const (
	typeProductKey = "ProductKey"
	skProductKey   = "PKEY#"
	gsi2ProductKey = "PKEY"
)

func productKeySK(hash string) string        { return skProductKey + hash }
func productKeysGSI(partnerID string) string { return "PKEYS#" + partnerID }
func productKeyIDGSI(keyID string) string    { return "PKEYID#" + keyID }

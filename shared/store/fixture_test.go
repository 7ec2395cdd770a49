package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/store"
)

// TestFixtureReadsBack loads testdata/fixture (items in the shape the table held before the
// adapter owned its stored shapes; see fixture_world_test.go) into a fresh table and reads every
// item type back through the store's public methods. If a change of an item struct, a tag or a
// converter would make existing data unreadable or read it differently, this test fails.
func TestFixtureReadsBack(t *testing.T) {
	ctx := context.Background()
	db := testenv.DynamoDB(t)
	table := testenv.NewTable(t, db)
	loaded := loadFixture(t, db, table)
	s := store.New(db, table)
	w := newFxWorld()

	// Every item type of the fixture is read below; a new item type needs a fixture file and a
	// read here.
	want := []string{"Activity", "CodeGuesses", "Customer", "DomainPrefix", "Idempotency", "Link", "LinkCode", "LinkUse", "Login",
		"Outbox", "Partner", "Relationship", "SignInGuard", "Subscription", "User"}
	if got := slices.Sorted(maps.Keys(loaded)); !reflect.DeepEqual(got, want) {
		t.Fatalf("fixture item types = %v, want %v", got, want)
	}

	// What the later writes did to the items written first.
	partnerA := w.PartnerA2
	partnerA.UserCount, partnerA.CustomerCount = 2, 2
	trial := w.Trial
	trial.Uses, trial.LastUsedAt, trial.EmailsSent = 1, w.AcceptTrial.Now, 2
	offer := w.Offer
	offer.Uses, offer.LastUsedAt = 1, w.AcceptOffer.Now
	daLink := w.DALink
	daLink.Uses, daLink.LastUsedAt = 1, w.AcceptDA.Now

	t.Run("partner", func(t *testing.T) {
		p, err := s.Partner(ctx, fxPartnerA)
		check(t, "Partner A", p, partnerA, err)
		// Partner B was created without address, phone and website (omitted) and then updated
		// (address NULL, phone and website ""): both shapes exist.
		p, err = s.Partner(ctx, fxPartnerB)
		check(t, "Partner B", p, w.PartnerB2, err)
	})

	t.Run("users and logins", func(t *testing.T) {
		u, err := s.User(ctx, fxPartnerA, fxAnna)
		check(t, "User", u, w.Anna, err)
		u, err = store.SessionsOf(s).OrgUser(ctx, fxPartnerA, fxBen)
		check(t, "OrgUser of a partner", u, w.Ben, err)
		page, err := s.Users(ctx, fxPartnerA, admin.PageRequest{})
		check(t, "Users", page, admin.Page[admin.User]{Items: []admin.User{w.Anna, w.Ben}}, err)
		for _, l := range []admin.Login{w.AnnaLogin, w.BenLogin, w.ChenLogin, w.DoraLogin, w.EmilLogin} {
			got, err := s.Login(ctx, strings.ToUpper(l.Email))
			check(t, "Login "+l.Email, got, l, err)
		}
		u, err = store.SessionsOf(s).OrgUser(ctx, fxCustX, fxDora)
		check(t, "OrgUser of a customer", u, w.Dora, err)
		u, err = store.SessionsOf(s).OrgUser(ctx, fxCustY, fxEmil)
		check(t, "OrgUser of a customer", u, w.Emil, err)
	})

	t.Run("activity", func(t *testing.T) {
		// Partner A's log, newest first. The store does not keep OrgID (the partition says it);
		// before/after read back as DynamoDB decodes them: numbers as float64, lists as []any,
		// an address as a map of its stored attribute names.
		entries := []admin.Activity{w.OnboardA, w.UpdateA, w.CreateBen, w.CreateTrial, w.CreateOffer, w.CreateDALink, w.EmailTrial,
			w.AcceptOffer.Activities[0], w.AcceptTrial.Activities[0], w.AcceptDA.Activities[0], w.EndDA[1]}
		var all []admin.Activity
		for i := len(entries) - 1; i >= 0; i-- {
			all = append(all, fxReadActivity(entries[i]))
		}
		page, err := s.Activity(ctx, fxPartnerA, admin.ActivityQuery{})
		check(t, "Activity", page, admin.Page[admin.Activity]{Items: all}, err)
		page, err = s.Activity(ctx, fxPartnerA, admin.ActivityQuery{From: fxAt(6), To: fxAt(8)})
		check(t, "Activity range", page, admin.Page[admin.Activity]{Items: []admin.Activity{
			fxReadActivity(w.AcceptTrial.Activities[0]), fxReadActivity(w.AcceptOffer.Activities[0])}}, err)
		page, err = s.Activity(ctx, fxPartnerB, admin.ActivityQuery{})
		check(t, "Activity B", page, admin.Page[admin.Activity]{Items: []admin.Activity{fxReadActivity(w.UpdateB), fxReadActivity(w.OnboardB)}}, err)
	})

	t.Run("links", func(t *testing.T) {
		l, uses, err := s.Link(ctx, fxPartnerA, admin.LinkTrial, fxTrial)
		check(t, "Link trial", l, trial, err)
		check(t, "Link trial uses", uses, []admin.LinkUse{w.AcceptTrial.Use}, nil)
		l, uses, err = s.Link(ctx, fxPartnerA, admin.LinkOffer, fxOffer)
		check(t, "Link offer", l, offer, err)
		check(t, "Link offer uses", uses, []admin.LinkUse{w.AcceptOffer.Use}, nil)
		l, uses, err = s.Link(ctx, fxPartnerA, admin.LinkDelegatedAdmin, fxDALink)
		check(t, "Link delegated-admin", l, daLink, err)
		check(t, "Link delegated-admin uses", uses, []admin.LinkUse{w.AcceptDA.Use}, nil)
		page, err := s.Links(ctx, fxPartnerA, admin.LinkOffer, admin.PageRequest{})
		check(t, "Links offer", page, admin.Page[admin.Link]{Items: []admin.Link{offer}}, err)
		page, err = s.Links(ctx, fxPartnerA, admin.LinkTrial, admin.PageRequest{})
		check(t, "Links trial", page, admin.Page[admin.Link]{Items: []admin.Link{trial}}, err)
		for _, want := range []admin.Link{trial, offer, daLink} {
			l, p, err := s.ResolveCode(ctx, want.CodeHash)
			check(t, "ResolveCode link", l, want, err)
			check(t, "ResolveCode partner", p, partnerA, nil)
		}
	})

	t.Run("customers", func(t *testing.T) {
		r, err := s.Relationship(ctx, fxCustX, fxPartnerA)
		check(t, "Relationship ended", r, w.RelXEnded, err)
		rels, err := s.Relationships(ctx, fxCustY, admin.PageRequest{})
		check(t, "Relationships", rels, admin.Page[admin.Relationship]{Items: []admin.Relationship{w.RelY}}, err)
		r, p, err := s.RelationshipWithPartner(ctx, fxCustY, fxPartnerA)
		check(t, "RelationshipWithPartner relationship", r, w.RelY, err)
		check(t, "RelationshipWithPartner partner", p, partnerA, nil)
		for _, c := range []struct {
			partner, customer string
			want              bool
		}{{fxPartnerA, fxCustX, true}, {fxPartnerA, fxCustY, true}, {fxPartnerB, fxCustX, false}} {
			has, err := s.HasCustomer(ctx, c.partner, c.customer)
			check(t, "HasCustomer "+c.partner+" "+c.customer, has, c.want, err)
		}
		subs, err := s.Subscriptions(ctx, fxCustX, admin.PageRequest{})
		check(t, "Subscriptions", subs, admin.Page[admin.Subscription]{Items: []admin.Subscription{w.Sub1, w.Sub2, w.Sub3}}, err)
		subs, err = s.Subscriptions(ctx, fxCustY, admin.PageRequest{})
		check(t, "Subscriptions Y", subs, admin.Page[admin.Subscription]{Items: []admin.Subscription{}}, err)
	})

	t.Run("domain prefix", func(t *testing.T) {
		// The prefix item of customer X still reserves "fabrikam".
		now := fxAt(13)
		c := admin.Customer{ID: fxID("cus", 9), Name: "Fabrikam Copy", DomainPrefix: "fabrikam", Country: "DE", Cloud: admin.CloudGlobal, Version: 1, CreatedAt: now}
		u := admin.User{ID: fxID("usr", 9), OrgID: c.ID, OrgKind: admin.OrgCustomer, Email: "x@copy.example", CompanyRole: admin.RoleGlobalAdmin,
			CustomerAccess: admin.AccessNone, Status: admin.UserActive, Version: 1, CreatedAt: now, UpdatedAt: now}
		err := s.Accept(ctx, admin.AcceptWrite{Link: trial, Now: now, NewCustomer: &c, Admin: u,
			AdminLogin: admin.Login{Email: u.Email, UserID: u.ID, OrgID: c.ID, OrgKind: admin.OrgCustomer, PasswordHash: "h"},
			Use:        admin.LinkUse{LinkID: fxTrial, CustomerID: c.ID, CustomerName: c.Name, At: now},
			Relationship: admin.Relationship{CustomerID: c.ID, CustomerName: c.Name, CustomerDomain: "fabrikam", PartnerID: fxPartnerA,
				PartnerName: partnerA.Contact.Name, Since: now, Version: 1}, NewRelationship: true,
			Activities: []admin.Activity{{ID: fxActID(now, 1), OrgID: fxPartnerA, At: now, Action: "link.accepted"}}})
		var e *admin.Error
		if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "domainPrefix" || e.Fields[0].Code != "taken" {
			t.Fatalf("Accept with a taken domain prefix: %v; want domainPrefix taken", err)
		}
	})

	t.Run("idempotency", func(t *testing.T) {
		// A replay of the trial link's key finds the stored record.
		again := w.Trial
		again.ID, again.CodeHash = fxID("lnk", 9), strings.Repeat("d4", 32)
		err := s.CreateLink(ctx, again, admin.Activity{ID: fxActID(fxAt(3), 9), OrgID: fxPartnerA, At: fxAt(3), Action: "link.created"},
			&admin.Idempotency{Scope: w.IdemTrial.Scope, Key: w.IdemTrial.Key, Fingerprint: "another", ResourceID: again.ID})
		var conflict *admin.IdempotencyConflict
		if !errors.As(err, &conflict) {
			t.Fatalf("CreateLink with a used Idempotency-Key: %v; want an IdempotencyConflict", err)
		}
		check(t, "IdempotencyConflict", *conflict, admin.IdempotencyConflict{ResourceID: fxTrial, Fingerprint: "fp-trial-1"}, nil)
	})

	t.Run("sign-in guard", func(t *testing.T) {
		g, ok, err := s.AdmitSignInAttempt(ctx, w.Anna.Email, w.SignInNow.Add(2*time.Second), admin.DefaultSignInPolicy)
		if err != nil || !ok || g.Attempts != 2 || !g.WindowStart.Equal(admin.DefaultSignInPolicy.WindowOf(w.SignInNow)) ||
			!g.LastAttempt.Equal(w.SignInNow.Add(time.Second)) {
			t.Fatalf("AdmitSignInAttempt = %+v, %v, %v; want the stored guard (2 attempts, last at +1s), admitted", g, ok, err)
		}
	})

	t.Run("code guesses", func(t *testing.T) {
		n, err := s.CountInvalidCode(ctx, w.CodeSource, w.CodeNow, admin.InvalidCodeWindow)
		check(t, "CountInvalidCode", n, 4, err)
	})

	t.Run("outbox", func(t *testing.T) {
		now := w.OutboxNow
		ms := func(t time.Time) int64 { return t.UnixMilli() }
		pad := func(t time.Time) string { return fmt.Sprintf("%015d", t.UnixMilli()) }
		item := func(e store.OutboxEmail, created time.Time) store.OutboxItem {
			return store.OutboxItem{PK: "OUTBOX#" + e.ID, SK: "OUTBOX", Type: store.TypeOutbox, ID: e.ID, OrgID: e.OrgID,
				Template: e.Template, To: e.To, Data: e.Data, NextAttemptAt: ms(created), CreatedAt: created}
		}
		sent := item(w.TrialEmails[1], fxAt(5))
		sent.Status, sent.Attempts, sent.MessageID = store.OutboxSent, 1, "ses-0001"
		sent.SentAt, sent.ExpiresAt = now.Format(time.RFC3339Nano), now.Add(store.OutboxSentRetention).Unix()
		got, found, err := s.OutboxByID(ctx, fxOut(2))
		check(t, "OutboxByID sent", got, sent, err)
		if !found {
			t.Fatal("sent outbox item not found")
		}
		failed := item(w.AcceptOfferEmails[0], fxAt(6))
		failed.Status, failed.Attempts, failed.LastError = store.OutboxFailed, 1, "550 5.1.1 mailbox unavailable"
		failed.ExpiresAt, failed.FailedAt = now.Add(store.OutboxFailedRetention).Unix(), now.Format(time.RFC3339Nano)
		got, _, err = s.OutboxByID(ctx, fxOut(3))
		check(t, "OutboxByID failed", got, failed, err)

		// Pending, by due time: redriven out5, out6, backed-off out4.
		out5 := item(w.AcceptTrialEmails[0], fxAt(7))
		out5.Status, out5.GSI1PK, out5.GSI1SK, out5.Redrives = store.OutboxPending, "OUTBOX#pending", pad(fxAt(7)), 1
		out6 := item(w.EndDAEmail, fxAt(9))
		out6.Status, out6.GSI1PK, out6.GSI1SK = store.OutboxPending, "OUTBOX#pending", pad(fxAt(9))
		out4 := item(w.AcceptOfferEmails[1], fxAt(6))
		out4.Status, out4.GSI1PK, out4.GSI1SK, out4.Attempts = store.OutboxPending, "OUTBOX#pending", pad(now.Add(2*time.Minute)), 1
		out4.NextAttemptAt, out4.LastError = ms(now.Add(2*time.Minute)), "Throttling: rate exceeded"
		due, err := s.DueOutbox(ctx, store.OutboxPending, now.Add(10*time.Minute), 10)
		check(t, "DueOutbox pending", due, []store.OutboxItem{out5, out6, out4}, err)

		// Sending with an expired lease: out1.
		due, err = s.DueOutbox(ctx, store.OutboxSending, now.Add(10*time.Minute), 10)
		if err != nil || len(due) != 1 || due[0].ID != fxOut(1) || due[0].LeaseToken == "" || due[0].LeaseUntil != ms(now.Add(5*time.Minute)) ||
			due[0].Status != store.OutboxSending || due[0].Attempts != 1 || due[0].To[0] != "dora@fabrikam.example" {
			t.Fatalf("DueOutbox sending = %+v, %v; want out1 with its lease", due, err)
		}

		// The mailer claims a pending item, and reclaims the expired lease.
		claimAt := now.Add(10 * time.Minute)
		c, err := s.ClaimOutbox(ctx, fxOut(6), claimAt, time.Minute)
		want := out6
		want.Status, want.Attempts, want.GSI1PK, want.GSI1SK = store.OutboxSending, 1, "OUTBOX#sending", pad(claimAt.Add(time.Minute))
		want.LeaseUntil, want.LeaseToken = ms(claimAt.Add(time.Minute)), c.LeaseToken
		check(t, "ClaimOutbox pending", c, want, err)
		c, err = s.ClaimOutbox(ctx, fxOut(1), claimAt, time.Minute)
		if err != nil || c.Attempts != 2 || c.Template != "trial_invitation" || c.Data["url"] != "https://pac.example/trial/CODE" {
			t.Fatalf("ClaimOutbox expired lease = %+v, %v", c, err)
		}
		if err := s.MarkOutboxSent(ctx, c, "ses-0002", claimAt); err != nil {
			t.Fatalf("MarkOutboxSent after reclaim: %v", err)
		}

		// The stream image of a stored item decodes.
		for _, it := range loaded["Outbox"] {
			got, ok, err := store.DecodeOutboxImage(it)
			if err != nil || !ok || got.ID == "" {
				t.Errorf("DecodeOutboxImage(%v) = %+v, %v, %v", it["PK"], got, ok, err)
			}
		}
	})
}

// fxReadActivity is an activity entry as the store reads it back: OrgID is not stored, and
// before/after values come back as DynamoDB decodes them into map[string]any.
func fxReadActivity(a admin.Activity) admin.Activity {
	a.OrgID = ""
	a.Before, a.After = fxReadFields(a.Before), fxReadFields(a.After)
	return a
}

func fxReadFields(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch v := v.(type) {
		case int:
			out[k] = float64(v)
		case []admin.Authorization:
			l := make([]any, len(v))
			for i, a := range v {
				l[i] = string(a)
			}
			out[k] = l
		case admin.Address:
			// The attribute names of an address inside an activity entry are the Go field names
			// (today's data).
			out[k] = map[string]any{"Line1": v.Line1, "Line2": v.Line2, "City": v.City, "Region": v.Region,
				"PostalCode": v.PostalCode, "Country": v.Country}
		default:
			out[k] = v
		}
	}
	return out
}

// loadFixture writes every item of testdata/fixture into table and returns them by Type.
func loadFixture(t *testing.T, db *dynamodb.Client, table string) map[string][]map[string]types.AttributeValue {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fixture", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixture files: %v", err)
	}
	byType := map[string][]map[string]types.AttributeValue{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		items, err := store.ParseItemsJSON(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, it := range items {
			if _, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}); err != nil {
				t.Fatalf("%s: put %v: %v", f, it["PK"], err)
			}
			typ, _ := it["Type"].(*types.AttributeValueMemberS)
			if typ == nil {
				t.Fatalf("%s: item %v has no Type", f, it["PK"])
			}
			byType[typ.Value] = append(byType[typ.Value], it)
		}
	}
	return byType
}

func check(t *testing.T, what string, got, want any, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s read back differently\n got: %s\nwant: %s\n(raw got %#v)", what, g, w, got)
	}
}

package admin

// Email is one email to send, written as an outbox item in the same transaction as the business
// change that causes it (docs/architecture.md, "Email outbox"). Template names a template of
// shared/email; Data holds its fields.
type Email struct {
	ID       string
	OrgID    string
	Template string
	To       []string
	Data     map[string]string
}

package store

import "github.com/partner-admin-center/pac/shared/admin"

var (
	_ admin.NotificationStore    = Inbox{}
	_ admin.PartnerOfRecordStore = Inbox{}
)

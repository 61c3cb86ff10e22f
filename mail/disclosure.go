package mail

import (
	"strconv"
	"time"
)

// SecurityReportReceived returns the receipt a vulnerability reporter gets
// at once: the report's reference, when it arrived and when it will be
// acknowledged by.
func SecurityReportReceived(to, reference string, received, due time.Time) Message {
	return reportMessage(to, KindSecurityReportReceived, reference, received, due)
}

// SecurityReportAlert returns the operator's notice of a new report.
func SecurityReportAlert(to, reference string, received, due time.Time) Message {
	return reportMessage(to, KindSecurityReportAlert, reference, received, due)
}

// SecurityReportOverdue returns the operator's reminder of a report still
// unacknowledged as its deadline nears.
func SecurityReportOverdue(to, reference string, received, due time.Time) Message {
	return reportMessage(to, KindSecurityReportOverdue, reference, received, due)
}

// reportMessage builds one of the report messages, which share their data.
func reportMessage(to, kind, reference string, received, due time.Time) Message {
	return Message{To: to, Kind: kind, Data: map[string]string{"reference": reference,
		"received": formatTime(received), "due": formatTime(due)}}
}

// SecurityReportDigest returns the operator's hourly notice of the count
// reports that arrived since since without an alert of their own, the
// alert budget being spent.
func SecurityReportDigest(to string, count int, since time.Time) Message {
	return Message{To: to, Kind: KindSecurityReportDigest, Data: map[string]string{"count": strconv.Itoa(count),
		"since": formatTime(since)}}
}

// SecurityReportStatus returns the reporter's notice that the report
// reference is now status ("acknowledged", "resolved" or "rejected"),
// since at.
func SecurityReportStatus(to, reference, status string, at time.Time) Message {
	return Message{To: to, Kind: KindSecurityReportStatus, Data: map[string]string{"reference": reference,
		"status": status, "time": formatTime(at)}}
}

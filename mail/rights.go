package mail

import "time"

// EmailChangeConfirm returns the message that asks to, the requested new
// address of an account, to confirm the change by opening link.
func EmailChangeConfirm(to, link string) Message {
	return Message{To: to, Kind: KindEmailChangeConfirm, Data: map[string]string{"link": link}}
}

// EmailChangeNotice returns the notice to an account's current address
// that a change of address was requested at at.
func EmailChangeNotice(to string, at time.Time) Message {
	return Message{To: to, Kind: KindEmailChangeNotice, Data: map[string]string{"time": formatTime(at)}}
}

// AccountDeleted returns the receipt of an account deletion requested at
// requested, whose purge is due by deadline. shredded says whether the
// keys were destroyed at once; if not (left to the purge), the receipt
// does not say they were.
func AccountDeleted(to string, requested, deadline time.Time, shredded bool) Message {
	status := "shredded"
	if !shredded {
		status = "pending"
	}
	return Message{To: to, Kind: KindAccountDeleted,
		Data: map[string]string{"requested": formatTime(requested), "deadline": formatTime(deadline), "status": status}}
}

package redact

import (
	"slices"
	"strings"
	"testing"
)

type detectCase struct {
	in   string
	want []string // "kind:text", in order; nil for none
}

func runDetect(t *testing.T, cases []detectCase) {
	t.Helper()
	r := mustRedactor(t)
	for _, c := range cases {
		if got := entities(r, c.in); !slices.Equal(got, c.want) {
			t.Errorf("%q:\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestEmail(t *testing.T) {
	runDetect(t, []detectCase{
		{"write to bob.smith+tag@example.co.uk today", []string{"email:bob.smith+tag@example.co.uk"}},
		{"Andrea <a.leofreddi@vleo.net>, (carol_99@sub.example.org).", []string{"email:a.leofreddi@vleo.net", "email:carol_99@sub.example.org"}},
		{"Email: eve@example.com.", []string{"email:eve@example.com"}},
		{"[mail](mailto:dan%ops@example.com)", []string{"email:dan%ops@example.com"}},
		{"IDN: ünïcode@bücher.de and δοκιμή@παράδειγμα.δοκιμή", []string{"email:ünïcode@bücher.de", "email:δοκιμή@παράδειγμα.δοκιμή"}},
		{"info@example.xn--p1ai", []string{"email:info@example.xn--p1ai"}},
		{"用户@例子.广告", []string{"email:用户@例子.广告"}},
		{"admin@3com.com", []string{"email:admin@3com.com"}},
		// Not addresses.
		{"ping @alice on chat, or @team", nil},
		{"npm i @scope/pkg@1.2.3 and lodash@4.17.21", nil},
		{"root@localhost and a@b", nil},
		{"bob@example.com.123", nil},
		{"icon@2x.png, logo@3x.webp, jquery@3.7.1.min.js", nil},
		{"taro..yamada@docomo.ne.jp", []string{"email:taro..yamada@docomo.ne.jp"}},
		{"see .bob@example.com.", []string{"email:bob@example.com"}},
		{"-@example.com_", []string{"email:-@example.com"}},
		{"a@b@example.com", []string{"email:b@example.com"}},
	})
}

func TestPhone(t *testing.T) {
	runDetect(t, []detectCase{
		{"Call +44 20 7946 0958 now", []string{"phone:+44 20 7946 0958"}},
		{"+1 (212) 555-0199", []string{"phone:+1 (212) 555-0199"}},
		{"US office (212) 555-0199 or 212-555-0199 or 212.555.0199", []string{"phone:(212) 555-0199", "phone:212-555-0199", "phone:212.555.0199"}},
		{"(212)555-0199", []string{"phone:(212)555-0199"}},
		{"toll free 1-800-555-0199.", []string{"phone:1-800-555-0199"}},
		{"Paris +33 6 12 34 56 78 / 06 12 34 56 78", []string{"phone:+33 6 12 34 56 78", "phone:06 12 34 56 78"}},
		{"London 020 7946 0958, Berlin 030 12345678, (030) 1234567", []string{"phone:020 7946 0958", "phone:030 12345678", "phone:(030) 1234567"}},
		{"+49 (0)30 1234567", []string{"phone:+49 (0)30 1234567"}},
		{"+44(0)20 7946 0958", []string{"phone:+44(0)20 7946 0958"}},
		{"E.164: +15551234567", []string{"phone:+15551234567"}},
		{"0044 20 7946 0958", []string{"phone:0044 20 7946 0958"}},
		{"tel:+41446681800", []string{"phone:+41446681800"}},
		{"mobile=0171-1234567", []string{"phone:0171-1234567"}},
		{"on 2024-01-15 call 212-555-0199", []string{"phone:212-555-0199"}},
		// Not phone numbers.
		{"(555) 123-4567", nil}, // exchange 1xx does not exist
		{"123-456-7890", nil},   // nor area code 1xx
		{"2024-01-15 15.01.2024 01/15/2024 01.02.2024 10:30:45", nil},
		{"v1.2.3 10.0.19041.1 1.2.3.4.5 version 2.4.1", nil},
		{"$1,234,567.89 EUR 1.134.000,50 1 200 000 12.5%", nil},
		{"ISBN 978-3-16-148410-0 and 0-306-40615-2", nil},
		{"order #555-123-4567 ref INV-212-555-0199 x212-555-0199", nil},
		{"5551234567 and 02079460958", nil},
		{"ZIP 02134-1234", nil},
		{"scores 250 300 1000", nil},
		{"01 02 2024 12 30", nil},
		{"ids 11 04 11 23 35 42", nil},
		{"on 2024-01-15 06 12 34 56 78", nil}, // a weak shape, not the whole run
		{"+2024-01-15", nil},
		{"+1.5 and +20% and 3+15551234567", nil},
		{"00 00 00 00 00 and 000 000 0000", nil},
		{"212-555-0199x and 212-555-0199/2", nil},
	})
}

func TestCard(t *testing.T) {
	runDetect(t, []detectCase{
		{"card 4111 1111 1111 1111 exp 12/27", []string{"card:4111 1111 1111 1111"}},
		{"4111-1111-1111-1111", []string{"card:4111-1111-1111-1111"}},
		{"pan=4111111111111111;", []string{"card:4111111111111111"}},
		{"MC 5555 5555 5555 4444, 2-series 2223 0031 2200 3222", []string{"card:5555 5555 5555 4444", "card:2223 0031 2200 3222"}},
		{"Amex 3782 822463 10005 or 378282246310005", []string{"card:3782 822463 10005", "card:378282246310005"}},
		{"Discover 6011 1111 1111 1117, JCB 3530 1113 3330 0000", []string{"card:6011 1111 1111 1117", "card:3530 1113 3330 0000"}},
		{"Diners 3056 930902 5904", []string{"card:3056 930902 5904"}},
		{"Visa 19: 4000 0000 0000 0000 006", []string{"card:4000 0000 0000 0000 006"}},
		// Not card numbers.
		{"4111 1111 1111 1112", nil}, // Luhn
		{"1234 5678 9012 3452", nil}, // no issuer starts with 1
		{"card 4111 1111 1111 1111 12/27", []string{"card:4111 1111 1111 1111"}},
		{"4111 1111 1111 1111 1111 1", []string{"card:4111 1111 1111 1111"}},
		{"EAN 4006381333931 ISBN 9783161484100", nil},
		{"4111 11111 111 1111", nil}, // not grouped like a card
		{"4111 1111-1111 1111", nil}, // mixed separators
		{"v4111111111111111", nil},   // glued to a word
		{"4111111111111111.5", nil},  // a decimal number
	})
}

func TestIBAN(t *testing.T) {
	runDetect(t, []detectCase{
		{"IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX", []string{"iban:DE89 3704 0044 0532 0130 00"}},
		{"DE89370400440532013000", []string{"iban:DE89370400440532013000"}},
		{"GB82 WEST 1234 5698 7654 32 and gb82west12345698765432", []string{"iban:GB82 WEST 1234 5698 7654 32", "iban:gb82west12345698765432"}},
		{"FR14 2004 1010 0505 0001 3M02 606", []string{"iban:FR14 2004 1010 0505 0001 3M02 606"}},
		{"(NL91ABNA0417164300)", []string{"iban:NL91ABNA0417164300"}},
		{"NO9386011117947", []string{"iban:NO9386011117947"}},
		// Not IBANs.
		{"DE89 3704 0044 0532 0130 01", nil}, // check digits
		{"XX89 3704 0044 0532 0130 00", nil}, // no such country
		{"DE89 3704 0044", nil},              // too short
		{"DE89370400440532013000X", nil},     // glued
		{"ADE89370400440532013000", nil},     // glued
	})
}

func TestNationalID(t *testing.T) {
	runDetect(t, []detectCase{
		{"SSN 536-22-1234 or 536 22 1234", []string{"national_id:536-22-1234", "national_id:536 22 1234"}},
		{"NINO AB 12 34 56 C, AB123456C, ab123456d", []string{"national_id:AB 12 34 56 C", "national_id:AB123456C", "national_id:ab123456d"}},
		// Never issued, or not one.
		{"000-12-3456 666-12-3456 900-12-3456 536-00-1234 536-22-0000", nil},
		{"536-22-12345 1536-22-1234", nil},
		{"QQ 12 34 56 C, GB123456A, AB123456E, DA123456A, AO123456A", nil},
		{"AB12 34 56C", nil},
	})
}

func TestIPAddress(t *testing.T) {
	runDetect(t, []detectCase{
		{"server 10.0.0.1 and 203.0.113.7:443", []string{"ip:10.0.0.1", "ip:203.0.113.7"}},
		{"subnet 192.168.1.20/24, range 10.0.0.1-10.0.0.5", []string{"ip:192.168.1.20", "ip:10.0.0.1", "ip:10.0.0.5"}},
		{"v6 2001:db8::1 and [2001:db8::8a2e:370:7334]:443", []string{"ip:2001:db8::1", "ip:2001:db8::8a2e:370:7334"}},
		{"link-local fe80::1ff:fe23:4567:890a, mapped ::ffff:192.0.2.128.", []string{"ip:fe80::1ff:fe23:4567:890a", "ip:::ffff:192.0.2.128"}},
		{"full 2001:0db8:85a3:0000:0000:8a2e:0370:7334", []string{"ip:2001:0db8:85a3:0000:0000:8a2e:0370:7334"}},
		// Not host addresses, or not addresses.
		{"listen on 0.0.0.0:8080, 127.0.0.1, ::1, :: and 255.255.255.255", nil},
		{"0.2.1.1 is not a host", nil},
		{"version 1.2.3.4, v1.2.3.4, release: 2.0.0.1, build=5.6.7.8", nil},
		{"10.0.19041.1 and 1.2.3 and 256.1.1.1 and 01.02.03.04", nil},
		{"at 12:30:45, std::vector, dead::beef, a::b, 00:1A:2B:3C:4D:5E", nil},
		{"x10.0.0.1 and 10.0.0.1x", nil},
	})
}

func TestLiteralPlaceholders(t *testing.T) {
	r := mustRedactor(t)
	s := "[EMAIL_1] [NATIONAL_ID_12] [IP_3] [SECRET_999999999] [EMAIL_0] [EMAIL_01] [EMAIL_1234567890] [email_1] [EMAIL 1] [FOO_1] [EMAIL_1"
	var got []string
	for _, sp := range r.find(s) {
		if !sp.literal {
			t.Errorf("entity %q", s[sp.start:sp.end])
		}
		got = append(got, s[sp.start:sp.end])
	}
	want := []string{"[EMAIL_1]", "[NATIONAL_ID_12]", "[IP_3]", "[SECRET_999999999]"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestProse measures false positives on ordinary prose dense with
// numbers, dates, versions, prices, codes, hashes and security words: a
// text with nothing to redact.
func TestProse(t *testing.T) {
	r := mustRedactor(t)
	prose := readTestdata(t, "prose.txt")
	if got := entities(r, prose); len(got) != 0 {
		t.Errorf("false positives in prose.txt: %q", got)
	}
	s := r.Session()
	if out := s.Redact(prose); out != prose {
		t.Errorf("Redact changed prose.txt")
	}
	if strings.Count(prose, "\n") < 40 {
		t.Fatal("prose.txt is too short to mean anything")
	}
}

func TestOverlapPriority(t *testing.T) {
	runDetect(t, []detectCase{
		// The IBAN's digits would also read as a phone number and a card.
		{"DE89 3704 0044 0532 0130 00", []string{"iban:DE89 3704 0044 0532 0130 00"}},
		// The IPv4 tail belongs to the IPv6 address.
		{"::ffff:10.1.2.3", []string{"ip:::ffff:10.1.2.3"}},
		// A card number is not also a phone number.
		{"4111 1111 1111 1111", []string{"card:4111 1111 1111 1111"}},
		// Nor is an SSN.
		{"536-22-1234", []string{"national_id:536-22-1234"}},
	})
}

// TestTrickyNegatives: numbers and tokens of everyday technical text that
// look like entities and are not.
func TestTrickyNegatives(t *testing.T) {
	r := mustRedactor(t)
	for _, in := range []string{
		"UUID 550e8400-e29b-41d4-a716-446655440000 and {123e4567-e89b-12d3-a456-426614174000}",
		"commit 3f786850e387550fdab836ed7e6dc881de23001b (short 3f78685)",
		"semver 1.2.3, 10.20.30-rc.1+build.5, v2024.06.03, Go 1.22.3",
		"prices $1,299.00, €1.299,00, £12.50, ¥120000, 1 299,00 zł",
		"times 09:30, 23:59:59.999, 2024-06-03T14:00:00+02:00, 1717430400123",
		"ISBN-13 978-0-306-40615-7, ISBN-10 0-306-40615-2, ISSN 0317-8471",
		"order 1234567890123456 and invoice 2024-000123-45 and SKU 400-1234-56",
		"colors #ff8800 #00ff0088, coordinates 48.8566, 2.3522, 51°30′26″N",
		"ranges 1990-2005, pages 555-556, 3-4 servings, scores 21-17, 10-15%",
		"hash sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"base64 aGVsbG8gd29ybGQ= and the word keyboard and monkey and turkey",
	} {
		if got := entities(r, in); len(got) != 0 {
			t.Errorf("%q: %q", in, got)
		}
	}
}

"""E-mail: notifications to customers now; inbound mail, threading and mailboxes later."""

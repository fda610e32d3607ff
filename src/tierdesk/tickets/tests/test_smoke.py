from tierdesk.tickets.tests.factories import make_ticket


def test_customer_ticket_starts_new(personas):
    ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a)
    assert ticket.status == "new"
    assert ticket.number >= 100001

-- Receive requests (§4.21) are product-1 invoices made by /api/receive/create; their payments
-- book as operation type 2, other invoices' as type 1.
ALTER TABLE invoices ADD COLUMN receive_request BOOLEAN NOT NULL DEFAULT FALSE;

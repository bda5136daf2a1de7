DROP TRIGGER accounting_account_type_guard ON accounting_accounts;
DROP FUNCTION accounting_account_type_guard();

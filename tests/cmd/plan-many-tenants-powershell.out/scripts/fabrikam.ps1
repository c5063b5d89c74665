# Applies the spoofctl plan for lists/fabrikam.yaml: Plan: 0 to create, 0 to change, 1 to remove, 0 unmanaged.
# Run in Exchange Online PowerShell (Connect-ExchangeOnline).
$ErrorActionPreference = 'Stop'
# adatum.com via tms.mx.com (external, allow): expired since 2026-06-30
Remove-TenantAllowBlockListSpoofItems -Identity 'Default' -Ids '33333333-0000-4000-8000-000000000001'

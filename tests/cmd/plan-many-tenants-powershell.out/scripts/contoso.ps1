# Applies the spoofctl plan for lists/contoso.yaml: Plan: 2 to create, 1 to change, 0 to remove, 4 unmanaged.
# Run in Exchange Online PowerShell (Connect-ExchangeOnline).
$ErrorActionPreference = 'Stop'
New-TenantAllowBlockListSpoofItems -Identity 'Default' -Action 'Block' -SendingInfrastructure '*' -SpoofedUser 'fabrikam.com' -SpoofType 'External'
New-TenantAllowBlockListSpoofItems -Identity 'Default' -Action 'Allow' -SendingInfrastructure 'example.net' -SpoofedUser 'woodgrovebank.com' -SpoofType 'External'
Set-TenantAllowBlockListSpoofItems -Identity 'Default' -Ids '22222222-0000-4000-8000-000000000002' -Action 'Allow'

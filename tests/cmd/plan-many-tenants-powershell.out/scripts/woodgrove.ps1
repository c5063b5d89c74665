# Applies the spoofctl plan for lists/woodgrove.yaml: Plan: 0 to create, 0 to change, 0 to remove, 12 unmanaged.
# Run in Exchange Online PowerShell (Connect-ExchangeOnline).
$ErrorActionPreference = 'Stop'

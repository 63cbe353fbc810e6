//! The read-only results of [`OpenId`]: `discovery_doc_details_*` from the discovery document
//! and `user_details_*` from the ID token and UserInfo.

use super::OpenId;

impl OpenId {
    discovery_text! {
        /// The authorization endpoint from the discovery document. Default: "".
        discovery_doc_details_authorization_url => authorization_endpoint;
        /// The registration endpoint from the discovery document. Default: "".
        discovery_doc_details_registration_url => registration_endpoint;
        /// The service documentation URL from the discovery document. Default: "".
        discovery_doc_details_service_docs_url => service_documentation;
        /// The JWKS URL from the discovery document. Default: "".
        discovery_doc_details_signer_cert_url => jwks_uri;
        /// The token endpoint from the discovery document. Default: "".
        discovery_doc_details_token_url => token_endpoint;
        /// The UserInfo endpoint from the discovery document. Default: "".
        discovery_doc_details_user_info_url => userinfo_endpoint;
    }

    discovery_list! {
        /// Comma-separated `claims_supported`. Default: "".
        discovery_doc_details_supported_claims => claims_supported;
        /// Comma-separated `display_values_supported`. Default: "".
        discovery_doc_details_supported_displays => display_values_supported;
        /// Comma-separated `grant_types_supported`. Default: "".
        discovery_doc_details_supported_grant_types => grant_types_supported;
        /// Comma-separated `response_types_supported`. Default: "".
        discovery_doc_details_supported_response_types => response_types_supported;
        /// Comma-separated `scopes_supported`. Default: "".
        discovery_doc_details_supported_scopes => scopes_supported;
    }

    /// The issuer from the discovery document. Default: "".
    pub fn discovery_doc_details_issuer(&self) -> &str {
        self.p.discovery.as_ref().map_or("", |d| d.issuer.as_str())
    }

    /// Whether the provider supports the `claims` parameter. Default: false.
    pub fn discovery_doc_details_claims_param_supported(&self) -> bool {
        self.p
            .discovery
            .as_ref()
            .is_some_and(|d| d.claims_parameter_supported)
    }

    user_text! {
        /// `address.country`. Default: "".
        user_details_addr_country => address_country;
        /// `address.formatted`. Default: "".
        user_details_addr_formatted => address_formatted;
        /// `address.locality`. Default: "".
        user_details_addr_locality => address_locality;
        /// `address.postal_code`. Default: "".
        user_details_addr_postal_code => address_postal_code;
        /// `address.region`. Default: "".
        user_details_addr_region => address_region;
        /// `address.street_address`. Default: "".
        user_details_addr_street_addr => address_street_address;
        /// `birthdate`. Default: "".
        user_details_birthday => birthdate;
        /// `email`. Default: "".
        user_details_email => email;
        /// `given_name`. Default: "".
        user_details_first_name => given_name;
        /// `gender`. Default: "".
        user_details_gender => gender;
        /// `iss` of the ID token. Default: "".
        user_details_issuer => iss;
        /// `family_name`. Default: "".
        user_details_last_name => family_name;
        /// `locale`. Default: "".
        user_details_locale => locale;
        /// `middle_name`. Default: "".
        user_details_middle_name => middle_name;
        /// `name`. Default: "".
        user_details_name => name;
        /// `nickname`. Default: "".
        user_details_nickname => nickname;
        /// `phone_number`. Default: "".
        user_details_phone_number => phone_number;
        /// `picture`. Default: "".
        user_details_picture_url => picture;
        /// `preferred_username`. Default: "".
        user_details_preferred_username => preferred_username;
        /// `profile`. Default: "".
        user_details_profile_url => profile;
        /// `sub`. Default: "".
        user_details_subject => sub;
        /// `website`. Default: "".
        user_details_website => website;
        /// `zoneinfo`. Default: "".
        user_details_zone_info => zoneinfo;
    }

    user_number! {
        /// `auth_time` (seconds since the epoch). Default: 0.
        user_details_token_auth_time => auth_time;
        /// `exp` of the ID token. Default: 0.
        user_details_token_exp_time => exp;
        /// `iat` of the ID token. Default: 0.
        user_details_token_issued_at => iat;
        /// `updated_at`. Default: 0.
        user_details_updated_at => updated_at;
    }

    /// Comma-separated `aud` of the ID token. Default: "".
    pub fn user_details_audiences(&self) -> String {
        self.p.user.aud.join(",")
    }

    /// `email_verified`. Default: false.
    pub fn user_details_email_verified(&self) -> bool {
        self.p.user.email_verified.unwrap_or(false)
    }

    /// `phone_number_verified`. Default: false.
    pub fn user_details_phone_number_verified(&self) -> bool {
        self.p.user.phone_number_verified.unwrap_or(false)
    }
}

import { ClientVpnAccessOptions } from '../../src/access';

/** A valid Identity Center SAML metadata document, server certificate and group for Client VPN tests. */
export const SAML_METADATA = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://portal.sso.us-east-1.amazonaws.com/saml/assertion/MTIzNDU2Nzg5MDEyX2lucy0xMjM0NTY3ODkw">',
  '<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">',
  '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>',
  `<ds:X509Certificate>${'MIIDBzCCAe+gAwIBAgIFAJ'.repeat(45)}</ds:X509Certificate>`,
  '</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>',
  '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://portal.sso.us-east-1.amazonaws.com/saml/assertion/MTIz"/>',
  '</md:IDPSSODescriptor></md:EntityDescriptor>',
].join('');
export const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
export const GROUP_ID = '906754e8c1-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
export const VPN_OPTIONS: ClientVpnAccessOptions = {
  samlMetadataDocument: SAML_METADATA,
  serverCertificateArn: CERTIFICATE_ARN,
  authorizedGroupId: GROUP_ID,
};

namespace Fleet.MySql;

/// <summary>How the connection uses TLS (the <c>SslMode</c> connection-string keyword, MySqlConnector's values).</summary>
public enum MySqlSslMode
{
    /// <summary>Never use TLS.</summary>
    None,

    /// <summary>Use TLS when the server offers it, without validating its certificate; plain text otherwise.</summary>
    Preferred,

    /// <summary>Fail unless the server offers TLS; the certificate is not validated.</summary>
    Required,

    /// <summary>Require TLS and a certificate chain trusted by this machine; the host name is not checked.</summary>
    VerifyCA,

    /// <summary>Require TLS, a trusted certificate chain and a certificate matching the host name.</summary>
    VerifyFull,
}

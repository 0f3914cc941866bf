{ ViewerUrlDemo: prints the viewer URL for a study, the one call a HIS needs.

    ViewerUrlDemo ACCESSION [DOCTOR_TC [PATIENT_TC]]

  Credentials come from TRL_INSTITUTION_CODE, TRL_PASSWORD and
  TRL_APPLICATION_CODE; with TRL_SANDBOX_URL set it uses the local sandbox
  (build/teleradyoloji-sandbox) and its test credentials instead.
  Delphi: a console project with Teleradyoloji.pas on the search path and
  teleradyoloji.dll beside the EXE. Free Pascal:
    fpc -Mdelphi -Fu../../bindings/delphi -Fl../../build ViewerUrlDemo.dpr }
program ViewerUrlDemo;

{$IFDEF FPC}{$MODE DELPHI}{$ENDIF}
{$IFDEF MSWINDOWS}{$APPTYPE CONSOLE}{$ENDIF}

uses
  SysUtils,
  Teleradyoloji;

var
  Client: TTeleradyolojiClient;
  Sandbox: string;

begin
  if ParamCount < 1 then
  begin
    WriteLn('usage: ViewerUrlDemo ACCESSION [DOCTOR_TC [PATIENT_TC]]');
    Halt(2);
  end;
  Sandbox := GetEnvironmentVariable('TRL_SANDBOX_URL');
  try
    if Sandbox <> '' then
      Client := TTeleradyolojiClient.CreateWith('1234567', 'Gizli-Parola-2026!',
        'SANDBOX-HIS', Sandbox, Sandbox + '/integrationapi', Sandbox + '/viewer/')
    else
      Client := TTeleradyolojiClient.CreateWith(
        GetEnvironmentVariable('TRL_INSTITUTION_CODE'),
        GetEnvironmentVariable('TRL_PASSWORD'),
        GetEnvironmentVariable('TRL_APPLICATION_CODE'));
    try
      { Open this once, in a new tab or an iframe: the OTAC in it is one-time. }
      WriteLn(Client.ViewerUrl(ParamStr(1), ParamStr(2), ParamStr(3)));
    finally
      Client.Free;
    end;
  except
    on E: ETeleradyolojiError do
    begin
      WriteLn(ErrOutput, E.Message);   { never contains the password or a token }
      Halt(1);
    end;
  end;
end.
